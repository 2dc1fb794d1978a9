// kestrel-tsk: one long-lived process per disk image, serving The Sleuth Kit (libtsk) over the
// frame protocol of native/helpers/frames.ts on stdin/stdout (u32 LE header length, u32 LE body
// length, JSON header, raw body). Names and paths travel as hex of their raw bytes: fls mangles
// control characters and the bodyfile is ambiguous, so Kestrel reads libtsk's structures itself.
//
// Requests (header "op"), replies (frames with "more":true stream, the last one ends):
//   open    {paths:[segment...], type?}       -> {imgType, size, sectorSize}  (info: the same again)
//   volumes {}                                -> {vsType, blockSize, volumes:[{addr,start,length,desc,flags}]}
//   pool    {offset}                          -> {poolType, blockSize, volumes:[{index,desc,block,blocks,encrypted}]}
//   openfs  {offset, fsType?, poolOffset?, poolBlock?} -> {fs, fsType, blockSize, blockCount, rootInum}
//   walk    {fs}                              -> frames {more, entries:[...]}, then {done, count}
//   cat     {fs, inum, attrType?, attrId?, slack?} -> frames {more, offset} + bytes, then {done, size, short?}
//           (slack: the bytes after the content up to the end of its last cluster, not the content)
//   read    {fs, inum, attrType?, attrId?, offset, length} -> {size} + bytes
// Errors are replies {error}; the process stays up. Evidence is opened read-only by libtsk.
// KESTREL_TSK_FAULT=crash:INUM|hang:INUM makes cat/read of that inode crash or hang: the tests use it
// to prove the supervisor turns a parser crash on damaged evidence into one recorded entry.
#include <tsk/libtsk.h>

#include "../helpers/protocol.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace helper;


std::string tskMessage(const char *what) {
  const char *m = tsk_error_get();
  std::string s = what;
  if (m && *m) { s += ": "; s += m; }
  tsk_error_reset();
  // tsk messages end with a newline; keep one line
  for (auto &c : s) if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}


// ---- state ----
TSK_IMG_INFO *img = nullptr;
std::map<int, TSK_FS_INFO *> filesystems;
std::vector<const TSK_POOL_INFO *> pools;
int nextFs = 1;
std::string faultKind;
TSK_INUM_T faultInum = 0;


void opInfo();

void opOpen(const Json &req) {
  if (img) { sendError("an image is already open in this helper"); return; }
  const Json *paths = req.get("paths");
  if (!paths || paths->kind != Json::Arr || paths->a.empty()) { sendError("open needs paths"); return; }
  std::vector<const char *> names;
  for (const auto &p : paths->a) names.push_back(p.s.c_str());
  std::string type = str(req, "type");
  TSK_IMG_TYPE_ENUM t = type.empty() || type == "auto" ? TSK_IMG_TYPE_DETECT : tsk_img_type_toid(type.c_str());
  if (t == TSK_IMG_TYPE_UNSUPP) { sendError("unknown image type " + type); return; }
  img = tsk_img_open_utf8(int(names.size()), names.data(), t, 0);
  if (!img) { sendError(tskMessage("cannot open image")); return; }
  opInfo();
}

void opInfo() {
  if (!img) { sendError("no image open"); return; }
  std::string h = "{\"imgType\":";
  esc(h, tsk_img_type_toname(img->itype));
  h += ",\"size\":" + std::to_string(img->size) + ",\"sectorSize\":" + std::to_string(img->sector_size) + "}";
  send(h);
}

void opVolumes() {
  if (!img) { sendError("no image open"); return; }
  TSK_VS_INFO *vs = tsk_vs_open(img, 0, TSK_VS_TYPE_DETECT);
  if (!vs) {
    std::string h = "{\"vsType\":null,\"message\":";
    esc(h, tskMessage("no volume system").c_str());
    send(h + "}");
    return;
  }
  std::string h = "{\"vsType\":";
  esc(h, tsk_vs_type_toname(vs->vstype));
  h += ",\"blockSize\":" + std::to_string(vs->block_size) + ",\"volumes\":[";
  for (TSK_PNUM_T i = 0; i < vs->part_count; ++i) {
    const TSK_VS_PART_INFO *part = tsk_vs_part_get(vs, i);
    if (!part) continue;
    if (i) h += ',';
    h += "{\"addr\":" + std::to_string(part->addr) + ",\"start\":" + std::to_string(part->start) +
         ",\"length\":" + std::to_string(part->len) + ",\"slot\":" + std::to_string(part->slot_num) +
         ",\"table\":" + std::to_string(part->table_num) + ",\"desc\":";
    esc(h, part->desc ? part->desc : "");
    h += ",\"flags\":\"";
    h += (part->flags & TSK_VS_PART_FLAG_ALLOC) ? "alloc" : (part->flags & TSK_VS_PART_FLAG_META) ? "meta" : "unalloc";
    h += "\"}";
  }
  h += "]}";
  tsk_vs_close(vs);
  send(h);
}

const TSK_POOL_INFO *poolAt(int64_t offset) {
  for (auto *p : pools) if (int64_t(p->img_offset) == offset) return p;
  const TSK_POOL_INFO *p = tsk_pool_open_img_sing(img, offset, TSK_POOL_TYPE_DETECT);
  if (p) pools.push_back(p);
  return p;
}

void opPool(const Json &req) {
  if (!img) { sendError("no image open"); return; }
  const TSK_POOL_INFO *pool = poolAt(num(req, "offset", 0));
  if (!pool) { sendError(tskMessage("no pool")); return; }
  std::string h = "{\"poolType\":";
  esc(h, tsk_pool_type_toname(pool->ctype));
  h += ",\"blockSize\":" + std::to_string(pool->block_size) + ",\"volumes\":[";
  bool first = true;
  for (const TSK_POOL_VOLUME_INFO *v = pool->vol_list; v; v = v->next) {
    if (!first) h += ',';
    first = false;
    h += "{\"index\":" + std::to_string(v->index) + ",\"desc\":";
    esc(h, v->desc ? v->desc : "");
    h += ",\"block\":" + std::to_string(v->block) + ",\"blocks\":" + std::to_string(v->num_blocks) +
         ",\"encrypted\":" + ((v->flags & TSK_POOL_VOLUME_FLAG_ENCRYPTED) ? "true" : "false") + "}";
  }
  send(h + "]}");
}

void opOpenFs(const Json &req) {
  if (!img) { sendError("no image open"); return; }
  std::string type = str(req, "fsType");
  TSK_FS_TYPE_ENUM t = type.empty() || type == "auto" ? TSK_FS_TYPE_DETECT : tsk_fs_type_toid_utf8(type.c_str());
  if (t == TSK_FS_TYPE_UNSUPP) { sendError("unknown file system type " + type); return; }
  TSK_FS_INFO *fs = nullptr;
  if (req.get("poolBlock")) {
    const TSK_POOL_INFO *pool = poolAt(num(req, "poolOffset", 0));
    if (!pool) { sendError(tskMessage("no pool")); return; }
    // libtsk 4.11 declares tsk_fs_open_pool without exporting it; fls -B does it this way.
    TSK_IMG_INFO *volume = pool->get_img_info(pool, TSK_DADDR_T(num(req, "poolBlock", 0)));
    if (!volume) { sendError(tskMessage("cannot open pool volume")); return; }
    fs = tsk_fs_open_img(volume, 0, t == TSK_FS_TYPE_DETECT ? TSK_FS_TYPE_APFS_DETECT : t);
  } else {
    fs = tsk_fs_open_img(img, num(req, "offset", 0), t);
  }
  if (!fs) { sendError(tskMessage("cannot open file system")); return; }
  int id = nextFs++;
  filesystems[id] = fs;
  std::string h = "{\"fs\":" + std::to_string(id) + ",\"fsType\":";
  esc(h, tsk_fs_type_toname(fs->ftype));
  h += ",\"blockSize\":" + std::to_string(fs->block_size) + ",\"blockCount\":" + std::to_string(fs->block_count) +
       ",\"rootInum\":" + std::to_string(fs->root_inum) + "}";
  send(h);
}

TSK_FS_INFO *fsOf(const Json &req) {
  auto it = filesystems.find(int(num(req, "fs", 0)));
  return it == filesystems.end() ? nullptr : it->second;
}

char typeChar(TSK_FS_META_TYPE_ENUM t) {
  switch (t) {
    case TSK_FS_META_TYPE_REG: return 'r';
    case TSK_FS_META_TYPE_DIR: return 'd';
    case TSK_FS_META_TYPE_LNK: return 'l';
    case TSK_FS_META_TYPE_VIRT: return 'v';
    case TSK_FS_META_TYPE_VIRT_DIR: return 'V';
    case TSK_FS_META_TYPE_FIFO: return 'p';
    case TSK_FS_META_TYPE_CHR: return 'c';
    case TSK_FS_META_TYPE_BLK: return 'b';
    case TSK_FS_META_TYPE_SOCK: return 's';
    default: return '-';
  }
}

char nameTypeChar(TSK_FS_NAME_TYPE_ENUM t) {
  switch (t) {
    case TSK_FS_NAME_TYPE_REG: return 'r';
    case TSK_FS_NAME_TYPE_DIR: return 'd';
    case TSK_FS_NAME_TYPE_LNK: return 'l';
    case TSK_FS_NAME_TYPE_VIRT: return 'v';
    case TSK_FS_NAME_TYPE_VIRT_DIR: return 'V';
    default: return '-';
  }
}

struct Walk {
  std::string batch;
  size_t inBatch = 0;
  uint64_t count = 0;
  bool slack = false;
};

// File slack of an allocated file's default data: the clusters it holds past its size. Resident,
// compressed and sparse data have none that can be read as such.
TSK_OFF_T slackOf(TSK_FS_FILE *file) {
  const TSK_FS_ATTR *attr = tsk_fs_file_attr_get(file);
  tsk_error_reset();
  if (!attr || !(attr->flags & TSK_FS_ATTR_NONRES) || (attr->flags & (TSK_FS_ATTR_COMP | TSK_FS_ATTR_SPARSE))) return 0;
  return attr->nrd.allocsize > attr->size ? attr->nrd.allocsize - attr->size : 0;
}

void flush(Walk &w) {
  if (!w.inBatch) return;
  send("{\"more\":true,\"entries\":[" + w.batch + "]}");
  w.batch.clear();
  w.inBatch = 0;
}

void times(std::string &h, const TSK_FS_META *m) {
  h += ",\"m\":" + std::to_string((long long)m->mtime) + ",\"mn\":" + std::to_string(m->mtime_nano) +
       ",\"a\":" + std::to_string((long long)m->atime) + ",\"an\":" + std::to_string(m->atime_nano) +
       ",\"c\":" + std::to_string((long long)m->ctime) + ",\"cn\":" + std::to_string(m->ctime_nano) +
       ",\"b\":" + std::to_string((long long)m->crtime) + ",\"bn\":" + std::to_string(m->crtime_nano);
}

TSK_WALK_RET_ENUM onEntry(TSK_FS_FILE *file, const char *path, void *ptr) {
  Walk &w = *(Walk *)ptr;
  const TSK_FS_NAME *name = file->name;
  if (!name || !name->name) return TSK_WALK_CONT;
  if (!strcmp(name->name, ".") || !strcmp(name->name, "..")) return TSK_WALK_CONT;
  const TSK_FS_META *meta = file->meta;
  std::string &h = w.batch;
  if (w.inBatch) h += ',';
  h += "{\"p\":";
  hex(h, path, strlen(path));
  h += ",\"n\":";
  hex(h, name->name, strlen(name->name));
  h += ",\"ino\":" + std::to_string(name->meta_addr) + ",\"seq\":" + std::to_string(name->meta_seq) +
       ",\"nt\":\"" + nameTypeChar(name->type) + "\",\"nf\":" + std::to_string(int(name->flags));
  if (meta) {
    h += ",\"t\":\"";
    h += typeChar(meta->type);
    h += "\",\"mf\":" + std::to_string(int(meta->flags)) + ",\"sz\":" + std::to_string(meta->size) +
         ",\"mseq\":" + std::to_string(meta->seq);
    times(h, meta);
    if (w.slack && meta->type == TSK_FS_META_TYPE_REG && (meta->flags & TSK_FS_META_FLAG_ALLOC) && (name->flags & TSK_FS_NAME_FLAG_ALLOC)) {
      TSK_OFF_T sl = slackOf(file);
      if (sl > 0) h += ",\"sl\":" + std::to_string(sl);
    }
    // NTFS alternate data streams: every named $DATA attribute besides the default one.
    if (file->fs_info && TSK_FS_TYPE_ISNTFS(file->fs_info->ftype)) {
      int n = tsk_fs_file_attr_getsize(file);
      std::string ads;
      for (int i = 0; i < n; ++i) {
        const TSK_FS_ATTR *attr = tsk_fs_file_attr_get_idx(file, i);
        if (!attr || attr->type != TSK_FS_ATTR_TYPE_NTFS_DATA || !attr->name || !attr->name[0] || !strcmp(attr->name, "$Data")) continue;
        if (!ads.empty()) ads += ',';
        ads += "{\"n\":";
        hex(ads, attr->name, strlen(attr->name));
        ads += ",\"type\":" + std::to_string(int(attr->type)) + ",\"id\":" + std::to_string(attr->id) +
               ",\"sz\":" + std::to_string(attr->size) + "}";
      }
      tsk_error_reset();
      if (!ads.empty()) h += ",\"ads\":[" + ads + "]";
    }
  }
  h += '}';
  ++w.inBatch;
  ++w.count;
  if (w.inBatch >= 256 || h.size() > (1u << 20)) flush(w);
  return TSK_WALK_CONT;
}

void opWalk(const Json &req) {
  TSK_FS_INFO *fs = fsOf(req);
  if (!fs) { sendError("no such file system"); return; }
  Walk w;
  w.slack = req.get("slack") != nullptr;
  uint8_t failed = tsk_fs_dir_walk(fs, fs->root_inum,
      TSK_FS_DIR_WALK_FLAG_ENUM(TSK_FS_DIR_WALK_FLAG_ALLOC | TSK_FS_DIR_WALK_FLAG_UNALLOC | TSK_FS_DIR_WALK_FLAG_RECURSE),
      onEntry, &w);
  flush(w);
  std::string h = "{\"done\":true,\"count\":" + std::to_string(w.count);
  if (failed) { h += ",\"warning\":"; esc(h, tskMessage("walk stopped early").c_str()); }
  // errors tsk records while carrying on (a bad directory) also reach the examiner
  else if (tsk_error_get()) { h += ",\"warning\":"; esc(h, tskMessage("walk").c_str()); }
  send(h + "}");
}

void fault(TSK_INUM_T inum) {
  if (faultKind.empty() || inum != faultInum) return;
  if (faultKind == "crash") abort();
  if (faultKind == "hang") for (;;) pause();
}

struct OpenFile {
  TSK_FS_FILE *file;
  TSK_FS_ATTR_TYPE_ENUM type;
  uint16_t id;
  bool typed;
  TSK_OFF_T size;
  // Slack: read [start, start + size) of `attr` with TSK's slack flag instead of the content.
  const TSK_FS_ATTR *slackAttr = nullptr;
  TSK_OFF_T slackStart = 0;
};

bool openFile(const Json &req, OpenFile &of) {
  TSK_FS_INFO *fs = fsOf(req);
  if (!fs) { sendError("no such file system"); return false; }
  TSK_INUM_T inum = TSK_INUM_T(num(req, "inum", 0));
  fault(inum);
  of.file = tsk_fs_file_open_meta(fs, nullptr, inum);
  if (!of.file) { sendError(tskMessage("cannot open inode")); return false; }
  of.typed = req.get("attrType") != nullptr;
  of.type = TSK_FS_ATTR_TYPE_ENUM(num(req, "attrType", 0));
  of.id = uint16_t(num(req, "attrId", 0));
  if (of.typed) {
    const TSK_FS_ATTR *attr = tsk_fs_file_attr_get_id(of.file, of.id);
    of.size = attr ? attr->size : 0;
  } else {
    of.size = of.file->meta ? of.file->meta->size : 0;
  }
  if (req.get("slack")) {
    of.slackAttr = tsk_fs_file_attr_get(of.file);
    of.size = of.slackAttr ? slackOf(of.file) : 0;
    of.slackStart = of.slackAttr ? of.slackAttr->size : 0;
  }
  return true;
}

ssize_t readAt(OpenFile &of, TSK_OFF_T off, char *buf, size_t len) {
  if (of.slackAttr) return tsk_fs_attr_read(of.slackAttr, of.slackStart + off, buf, len, TSK_FS_FILE_READ_FLAG_SLACK);
  return of.typed ? tsk_fs_file_read_type(of.file, of.type, of.id, off, buf, len, TSK_FS_FILE_READ_FLAG_NONE)
                  : tsk_fs_file_read(of.file, off, buf, len, TSK_FS_FILE_READ_FLAG_NONE);
}

void opCat(const Json &req) {
  OpenFile of;
  if (!openFile(req, of)) return;
  static std::vector<char> buf(1 << 20);
  TSK_OFF_T off = 0;
  std::string warning;
  while (off < of.size) {
    size_t want = size_t(std::min<TSK_OFF_T>(TSK_OFF_T(buf.size()), of.size - off));
    ssize_t got = readAt(of, off, buf.data(), want);
    if (got <= 0) { warning = tskMessage("read stopped"); break; }
    send("{\"more\":true,\"offset\":" + std::to_string(off) + "}", buf.data(), size_t(got));
    off += got;
  }
  tsk_fs_file_close(of.file);
  std::string h = "{\"done\":true,\"size\":" + std::to_string(of.size) + ",\"read\":" + std::to_string(off);
  if (!warning.empty()) { h += ",\"warning\":"; esc(h, warning.c_str()); }
  send(h + "}");
}

void opRead(const Json &req) {
  OpenFile of;
  if (!openFile(req, of)) return;
  TSK_OFF_T off = num(req, "offset", 0);
  size_t len = size_t(std::min<int64_t>(num(req, "length", 0), 16 << 20));
  if (off >= of.size) len = 0;
  else len = size_t(std::min<TSK_OFF_T>(TSK_OFF_T(len), of.size - off));
  std::vector<char> buf(len);
  ssize_t got = len ? readAt(of, off, buf.data(), len) : 0;
  tsk_fs_file_close(of.file);
  if (got < 0) { sendError(tskMessage("read failed")); return; }
  send("{\"size\":" + std::to_string(of.size) + "}", buf.data(), size_t(got));
}

}  // namespace

int main() {
  if (const char *f = getenv("KESTREL_TSK_FAULT")) {
    std::string spec = f;
    size_t colon = spec.find(':');
    if (colon != std::string::npos) { faultKind = spec.substr(0, colon); faultInum = strtoull(spec.c_str() + colon + 1, nullptr, 10); }
  }
  std::vector<char> header;
  std::vector<char> body;
  for (;;) {
    uint8_t prefix[8];
    if (!readExact(prefix, 8)) break;
    uint32_t h = 0, b = 0;
    for (int i = 0; i < 4; ++i) { h |= uint32_t(prefix[i]) << (8 * i); b |= uint32_t(prefix[4 + i]) << (8 * i); }
    if (h > (1u << 24) || b > (1u << 24)) return 3;
    header.resize(h);
    body.resize(b);
    if (!readExact(header.data(), h) || !readExact(body.data(), b)) break;
    try {
      Parser parser{header.data(), header.data() + h};
      Json req = parser.value();
      std::string op = str(req, "op");
      tsk_error_reset();
      if (op == "open") opOpen(req);
      else if (op == "info") opInfo();
      else if (op == "volumes") opVolumes();
      else if (op == "pool") opPool(req);
      else if (op == "openfs") opOpenFs(req);
      else if (op == "walk") opWalk(req);
      else if (op == "cat") opCat(req);
      else if (op == "read") opRead(req);
      else if (op == "version") { std::string v = "{\"tsk\":"; esc(v, tsk_version_get_str()); send(v + "}"); }
      else sendError("unknown op " + op);
    } catch (const std::exception &e) {
      sendError(e.what());
    }
  }
  for (auto &kv : filesystems) tsk_fs_close(kv.second);
  for (auto *p : pools) tsk_pool_close(p);
  if (img) tsk_img_close(img);
  return 0;
}
