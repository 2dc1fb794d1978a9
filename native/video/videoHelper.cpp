// kestrel-video: one long-lived process serving every video of an intake with FFmpeg's libraries
// (libavformat, libavcodec, libavfilter, libswscale), over the frame protocol of
// native/helpers/frames.ts on stdin/stdout. The supervisor (native/helpers/supervisor.ts) restarts
// it when a damaged video crashes or hangs a demuxer or decoder; that costs the video, not the run.
//
// Requests (header "op"); every request but version names the evidence file as hex of its path's
// raw bytes ("path") and the device and inode Kestrel opened it as ("dev", "ino", decimal strings):
// the helper opens it read-only, O_NOFOLLOW, O_NOATIME (without it on EPERM, as Kestrel does) and
// refuses a file that is not that one. The demuxer reads only that descriptor: any other file or
// URL a container asks for (playlists, references) is refused.
//   version   {}                          -> {libavformat, libavcodec, libavfilter, libswscale, libavutil}
//   probe     {path, dev, ino}            -> {probe: what ffprobe -show_format -show_streams -of json prints}
//   cropdetect{path, dev, ino}            -> {crop: [w, h, x, y] | null}  (keyframes, cropdetect=limit=24:round=2)
//   hash      {path, dev, ino, modulus, crop?: [w,h,x,y], threads?}
//                                         -> frames {more, v: 0|1, n, w, h} + RGB24 rows, then {done, frames, decoded, errors}
//   keyframes {path, dev, ino, w, h}      -> frames {more, n, w, h} + RGB24, then {done, frames}
// Errors are replies {error}; the process stays up.
//
// hash gives the pixels of the ffmpeg pipeline vPDQ was matched with (native/video/vpdq.ts's
// description): the first video stream decoded with every CPU feature and no rotation, frame n kept
// when n mod modulus == 0, then handed on as NUT rawvideo would hand it (J formats as their plain
// twins, colour range and matrix unknown), then 'scale=flags=area,format=rgb24' (and 'crop=...'
// first for the cropped variant) built with the CPU features off when the width is a multiple of 16
// (ffmpeg -cpuflags 0 in the second stage).
//
// KESTREL_VIDEO_FAULT=crash:NAME|hang:NAME makes hash crash or hang after the first frame of a file
// whose last path component is NAME: the tests use it to show a helper dying mid-video costs that
// video only.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/cpu.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include "../helpers/protocol.hpp"

#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace helper;

std::string faultKind;
std::string faultName;

std::string averr(int code) {
  char b[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, b, sizeof b);
  return b;
}

std::string unhex(const std::string &h) {
  std::string out;
  auto v = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < h.size(); i += 2) out += char(v(h[i]) * 16 + v(h[i + 1]));
  return out;
}

// ---- the evidence file, read through our own descriptor ----
struct Input {
  int fd = -1;
  int64_t pos = 0;
  int64_t size = 0;
  std::string name;
  AVIOContext *pb = nullptr;
  AVFormatContext *fmt = nullptr;
  AVCodecContext *dec = nullptr;
  int stream = -1;

  ~Input() {
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    if (pb) { av_freep(&pb->buffer); avio_context_free(&pb); }
    if (fd >= 0) close(fd);
  }
};

int readPacket(void *opaque, uint8_t *buf, int n) {
  Input *in = static_cast<Input *>(opaque);
  for (;;) {
    ssize_t r = pread(in->fd, buf, size_t(n), in->pos);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return AVERROR(errno);
    if (r == 0) return AVERROR_EOF;
    in->pos += r;
    return int(r);
  }
}

int64_t seekPacket(void *opaque, int64_t offset, int whence) {
  Input *in = static_cast<Input *>(opaque);
  if (whence & AVSEEK_SIZE) return in->size;
  whence &= ~AVSEEK_FORCE;
  int64_t to = whence == SEEK_SET ? offset : whence == SEEK_CUR ? in->pos + offset : whence == SEEK_END ? in->size + offset : -1;
  if (to < 0) return AVERROR(EINVAL);
  in->pos = to;
  return to;
}

int refuseOpen(AVFormatContext *, AVIOContext **, const char *url, int, AVDictionary **) {
  av_log(nullptr, AV_LOG_ERROR, "refused to open %s: Kestrel reads only the evidence file it names\n", url);
  return AVERROR(EPERM);
}

bool openInput(const Json &req, Input &in) {
  std::string path = unhex(str(req, "path"));
  if (path.empty()) { sendError("no path"); return false; }
  size_t slash = path.rfind('/');
  in.name = slash == std::string::npos ? path : path.substr(slash + 1);
  const int base = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  in.fd = open(path.c_str(), base | O_NOATIME);
  if (in.fd < 0 && errno == EPERM) in.fd = open(path.c_str(), base);
  if (in.fd < 0) { sendError(std::string("cannot open: ") + strerror(errno)); return false; }
  struct stat st;
  if (fstat(in.fd, &st) != 0 || !S_ISREG(st.st_mode)) { sendError("not a regular file"); return false; }
  if (std::to_string(st.st_dev) != str(req, "dev") || std::to_string(st.st_ino) != str(req, "ino")) {
    sendError("not the file Kestrel opened (device or inode differ): it was replaced");
    return false;
  }
  in.size = st.st_size;
  const int bufSize = 1 << 16;
  auto *buf = static_cast<unsigned char *>(av_malloc(bufSize));
  in.pb = avio_alloc_context(buf, bufSize, 0, &in, readPacket, nullptr, seekPacket);
  in.fmt = avformat_alloc_context();
  if (!buf || !in.pb || !in.fmt) { sendError("out of memory"); return false; }
  in.fmt->pb = in.pb;
  in.fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
  in.fmt->io_open = refuseOpen;
  // As ffmpeg and ffprobe do by default: MPEG-TS programs announced late are still found.
  AVDictionary *opts = nullptr;
  av_dict_set(&opts, "scan_all_pmts", "1", 0);
  int r = avformat_open_input(&in.fmt, "", nullptr, &opts);
  av_dict_free(&opts);
  if (r < 0) { sendError(averr(r)); return false; }
  r = avformat_find_stream_info(in.fmt, nullptr);
  if (r < 0) { sendError(averr(r)); return false; }
  return true;
}

// The first video stream, as ffmpeg's -map 0:v:0 and Kestrel's probe take it.
bool openDecoder(Input &in, int threads, bool keyframesOnly) {
  for (unsigned i = 0; i < in.fmt->nb_streams; ++i) {
    if (in.fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) { in.stream = int(i); break; }
  }
  if (in.stream < 0) { sendError("no video stream"); return false; }
  for (unsigned i = 0; i < in.fmt->nb_streams; ++i) if (int(i) != in.stream) in.fmt->streams[i]->discard = AVDISCARD_ALL;
  AVStream *st = in.fmt->streams[in.stream];
  const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) { sendError(std::string("no decoder for ") + avcodec_get_name(st->codecpar->codec_id)); return false; }
  in.dec = avcodec_alloc_context3(codec);
  if (!in.dec || avcodec_parameters_to_context(in.dec, st->codecpar) < 0) { sendError("cannot set up the decoder"); return false; }
  in.dec->pkt_timebase = st->time_base;
  in.dec->thread_count = threads;
  if (keyframesOnly) in.dec->skip_frame = AVDISCARD_NONKEY;
  int r = avcodec_open2(in.dec, codec, nullptr);
  if (r < 0) { sendError("cannot open the decoder: " + averr(r)); return false; }
  return true;
}

struct DecodeStats { int64_t decoded = 0; int64_t errors = 0; std::string lastError; };

// Decodes the stream to its end as ffmpeg does: a packet the decoder refuses is counted and
// skipped, a read error ends the input, and the decoder is drained. onFrame returns false to stop.
DecodeStats decodeAll(Input &in, const std::function<bool(AVFrame *)> &onFrame) {
  DecodeStats stats;
  AVPacket *pkt = av_packet_alloc();
  AVFrame *frame = av_frame_alloc();
  bool go = true;
  auto drain = [&]() {
    for (;;) {
      int r = avcodec_receive_frame(in.dec, frame);
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
      if (r < 0) { stats.errors += 1; stats.lastError = averr(r); return; }
      stats.decoded += 1;
      go = onFrame(frame);
      av_frame_unref(frame);
      if (!go) return;
    }
  };
  while (go) {
    int r = av_read_frame(in.fmt, pkt);
    if (r < 0) {
      if (r != AVERROR_EOF) { stats.errors += 1; stats.lastError = averr(r); }
      break;
    }
    if (pkt->stream_index == in.stream) {
      r = avcodec_send_packet(in.dec, pkt);
      if (r < 0 && r != AVERROR(EAGAIN)) { stats.errors += 1; stats.lastError = averr(r); }
      drain();
    }
    av_packet_unref(pkt);
  }
  if (go) {
    avcodec_send_packet(in.dec, nullptr);
    drain();
  }
  av_frame_free(&frame);
  av_packet_free(&pkt);
  return stats;
}

// ---- filter graphs ----
struct Graph {
  AVFilterGraph *graph = nullptr;
  AVFilterContext *src = nullptr;
  std::vector<AVFilterContext *> sinks;
  int w = 0, h = 0, format = -1;

  ~Graph() { avfilter_graph_free(&graph); }

  // description reads from [in] and writes to [o0], [o1]...; swsOpts as ffmpeg gives a simple graph.
  std::string build(const AVFrame *f, const std::string &description, size_t outputs, const char *swsOpts, bool plainCpu) {
    avfilter_graph_free(&graph);
    sinks.clear();
    graph = avfilter_graph_alloc();
    if (!graph) return "out of memory";
    if (swsOpts) graph->scale_sws_opts = av_strdup(swsOpts);
    char args[256];
    AVRational sar = f->sample_aspect_ratio.num ? f->sample_aspect_ratio : AVRational{0, 1};
    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=1/1:pixel_aspect=%d/%d", f->width, f->height, f->format, sar.num, sar.den);
    int r = avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"), "in", args, nullptr, graph);
    if (r < 0) return "buffer source: " + averr(r);
    AVFilterInOut *ins = nullptr;
    for (size_t i = outputs; i-- > 0;) {
      AVFilterContext *sink = nullptr;
      std::string label = "o" + std::to_string(i);
      r = avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"), label.c_str(), nullptr, nullptr, graph);
      if (r < 0) { avfilter_inout_free(&ins); return "buffer sink: " + averr(r); }
      sinks.insert(sinks.begin(), sink);
      AVFilterInOut *io = avfilter_inout_alloc();
      io->name = av_strdup(label.c_str());
      io->filter_ctx = sink;
      io->pad_idx = 0;
      io->next = ins;
      ins = io;
    }
    AVFilterInOut *outs = avfilter_inout_alloc();
    outs->name = av_strdup("in");
    outs->filter_ctx = src;
    outs->pad_idx = 0;
    outs->next = nullptr;
    r = avfilter_graph_parse_ptr(graph, description.c_str(), &ins, &outs, nullptr);
    avfilter_inout_free(&ins);
    avfilter_inout_free(&outs);
    if (r < 0) return "filter graph: " + averr(r);
    // swscale picks its SIMD or plain C conversion when the scaler is set up, here.
    if (plainCpu) av_force_cpu_flags(0);
    r = avfilter_graph_config(graph, nullptr);
    if (plainCpu) av_force_cpu_flags(-1);
    if (r < 0) return "filter graph: " + averr(r);
    w = f->width;
    h = f->height;
    format = f->format;
    return "";
  }

  bool matches(const AVFrame *f) const { return graph && f->width == w && f->height == h && f->format == format; }
};

void sendRgb(std::string header, const AVFrame *f) {
  const size_t row = size_t(f->width) * 3;
  std::vector<char> body(row * size_t(f->height));
  for (int y = 0; y < f->height; ++y) memcpy(body.data() + row * size_t(y), f->data[0] + size_t(y) * size_t(f->linesize[0]), row);
  header += ",\"w\":" + std::to_string(f->width) + ",\"h\":" + std::to_string(f->height) + "}";
  send(header, body.data(), body.size());
}

// Pushes one frame through and hands each sink's output on; "" or why it failed.
std::string filterFrame(Graph &g, AVFrame *in, const std::function<void(size_t, AVFrame *)> &onOutput) {
  int r = av_buffersrc_add_frame_flags(g.src, in, AV_BUFFERSRC_FLAG_KEEP_REF);
  if (r < 0) return "filter input: " + averr(r);
  AVFrame *out = av_frame_alloc();
  for (size_t i = 0; i < g.sinks.size(); ++i) {
    while ((r = av_buffersink_get_frame(g.sinks[i], out)) >= 0) {
      onOutput(i, out);
      av_frame_unref(out);
    }
  }
  av_frame_free(&out);
  return "";
}

// What the frame looks like after ffmpeg wrote it as NUT rawvideo and read it back.
void asNutRawvideo(AVFrame *f) {
  switch (f->format) {
    case AV_PIX_FMT_YUVJ420P: f->format = AV_PIX_FMT_YUV420P; break;
    case AV_PIX_FMT_YUVJ422P: f->format = AV_PIX_FMT_YUV422P; break;
    case AV_PIX_FMT_YUVJ444P: f->format = AV_PIX_FMT_YUV444P; break;
    case AV_PIX_FMT_YUVJ440P: f->format = AV_PIX_FMT_YUV440P; break;
    case AV_PIX_FMT_YUVJ411P: f->format = AV_PIX_FMT_YUV411P; break;
    default: break;
  }
  f->color_range = AVCOL_RANGE_UNSPECIFIED;
  f->colorspace = AVCOL_SPC_UNSPECIFIED;
  f->color_primaries = AVCOL_PRI_UNSPECIFIED;
  f->color_trc = AVCOL_TRC_UNSPECIFIED;
  f->chroma_location = AVCHROMA_LOC_UNSPECIFIED;
}

// ---- probe: ffprobe's JSON for the fields Kestrel reads ----
void addTags(std::string &out, const AVDictionary *d) {
  out += "{";
  const AVDictionaryEntry *e = nullptr;
  bool first = true;
  while ((e = av_dict_get(d, "", e, AV_DICT_IGNORE_SUFFIX))) {
    if (!first) out += ",";
    first = false;
    escText(out, e->key);
    out += ":";
    escText(out, e->value);
  }
  out += "}";
}

std::string rate(AVRational q) { return std::to_string(q.num) + "/" + std::to_string(q.den); }

// ffprobe prints times with "%f".
std::string seconds(int64_t ts, AVRational tb) {
  char b[64];
  snprintf(b, sizeof b, "%f", double(ts) * av_q2d(tb));
  return b;
}

void opProbe(const Json &req) {
  Input in;
  if (!openInput(req, in)) return;
  std::string out = "{\"probe\":{\"streams\":[";
  for (unsigned i = 0; i < in.fmt->nb_streams; ++i) {
    const AVStream *st = in.fmt->streams[i];
    const AVCodecParameters *par = st->codecpar;
    if (i) out += ",";
    out += "{\"index\":" + std::to_string(i);
    const char *type = av_get_media_type_string(par->codec_type);
    out += ",\"codec_type\":";
    esc(out, type ? type : "unknown");
    const AVCodecDescriptor *cd = avcodec_descriptor_get(par->codec_id);
    out += ",\"codec_name\":";
    esc(out, cd ? cd->name : "unknown");
    if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
      out += ",\"width\":" + std::to_string(par->width) + ",\"height\":" + std::to_string(par->height);
      size_t size = 0;
      const uint8_t *matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
      if (matrix && size >= 9 * sizeof(int32_t)) {
        // ffprobe prints the angle through an integer, truncating it.
        out += ",\"side_data_list\":[{\"side_data_type\":\"Display Matrix\",\"rotation\":" +
               std::to_string((long long)av_display_rotation_get(reinterpret_cast<const int32_t *>(matrix))) + "}]";
      }
    }
    out += ",\"r_frame_rate\":\"" + rate(st->r_frame_rate) + "\",\"avg_frame_rate\":\"" + rate(st->avg_frame_rate) + "\"";
    if (st->duration != AV_NOPTS_VALUE) out += ",\"duration\":\"" + seconds(st->duration, st->time_base) + "\"";
    if (st->nb_frames) out += ",\"nb_frames\":\"" + std::to_string(st->nb_frames) + "\"";
    out += ",\"disposition\":{\"attached_pic\":" + std::to_string((st->disposition & AV_DISPOSITION_ATTACHED_PIC) ? 1 : 0) + "}";
    out += ",\"tags\":";
    addTags(out, st->metadata);
    out += "}";
  }
  out += "],\"format\":{\"format_name\":";
  esc(out, in.fmt->iformat->name);
  if (in.fmt->duration != AV_NOPTS_VALUE) out += ",\"duration\":\"" + seconds(in.fmt->duration, AV_TIME_BASE_Q) + "\"";
  if (in.fmt->bit_rate > 0) out += ",\"bit_rate\":\"" + std::to_string(in.fmt->bit_rate) + "\"";
  out += ",\"tags\":";
  addTags(out, in.fmt->metadata);
  out += "}}}";
  send(out);
}

// ---- cropdetect over the keyframes, as ffmpeg -skip_frame nokey -vf cropdetect=... reports last ----
void opCropdetect(const Json &req) {
  Input in;
  if (!openInput(req, in) || !openDecoder(in, 0, true)) return;
  Graph g;
  std::string failure;
  int64_t crop[4] = {-1, -1, -1, -1};
  decodeAll(in, [&](AVFrame *f) {
    if (!g.matches(f)) failure = g.build(f, "[in]cropdetect=limit=24:round=2:reset=0:skip=0[o0]", 1, "flags=bicubic", false);
    if (failure.empty()) failure = filterFrame(g, f, [&](size_t, AVFrame *out) {
      const char *keys[4] = {"lavfi.cropdetect.w", "lavfi.cropdetect.h", "lavfi.cropdetect.x", "lavfi.cropdetect.y"};
      for (int k = 0; k < 4; ++k) {
        const AVDictionaryEntry *e = av_dict_get(out->metadata, keys[k], nullptr, 0);
        if (e) crop[k] = strtoll(e->value, nullptr, 10);
      }
    });
    return failure.empty();
  });
  if (!failure.empty()) { sendError(failure); return; }
  if (crop[0] < 0 || crop[1] < 0 || crop[2] < 0 || crop[3] < 0) { send("{\"crop\":null}"); return; }
  send("{\"crop\":[" + std::to_string(crop[0]) + "," + std::to_string(crop[1]) + "," + std::to_string(crop[2]) + "," + std::to_string(crop[3]) + "]}");
}

// ---- vPDQ's frames ----
void opHash(const Json &req) {
  Input in;
  if (!openInput(req, in)) return;
  const int64_t modulus = num(req, "modulus", 1);
  if (modulus < 1) { sendError("modulus must be at least 1"); return; }
  if (!openDecoder(in, int(num(req, "threads", 0)), false)) return;
  const std::string toRgb = "scale=flags=area,format=rgb24";
  std::string description = "[in]" + toRgb + "[o0]";
  size_t outputs = 1;
  const Json *crop = req.get("crop");
  if (crop && crop->kind == Json::Arr && crop->a.size() == 4) {
    char c[128];
    snprintf(c, sizeof c, "crop=%lld:%lld:%lld:%lld", (long long)crop->a[0].n, (long long)crop->a[1].n, (long long)crop->a[2].n, (long long)crop->a[3].n);
    description = "[in]split[a][b];[a]" + toRgb + "[o0];[b]" + c + "," + toRgb + "[o1]";
    outputs = 2;
  }
  const bool fault = !faultKind.empty() && in.name == faultName;
  Graph g;
  std::string failure;
  int64_t n = 0, sent = 0;
  DecodeStats stats = decodeAll(in, [&](AVFrame *f) {
    const int64_t index = n++;
    if (index % modulus != 0) return true;
    asNutRawvideo(f);
    if (!g.matches(f)) failure = g.build(f, description, outputs, nullptr, f->width % 16 == 0);
    if (failure.empty()) failure = filterFrame(g, f, [&](size_t variant, AVFrame *out) {
      sendRgb("{\"more\":true,\"v\":" + std::to_string(variant) + ",\"n\":" + std::to_string(index), out);
      if (variant == 0) sent += 1;
      if (fault && sent == 1) {
        if (faultKind == "crash") raise(SIGKILL);
        if (faultKind == "hang") for (;;) pause();
      }
    });
    return failure.empty();
  });
  if (!failure.empty()) { sendError(failure); return; }
  std::string done = "{\"done\":true,\"frames\":" + std::to_string(sent) + ",\"decoded\":" + std::to_string(stats.decoded) +
                     ",\"errors\":" + std::to_string(stats.errors);
  if (!stats.lastError.empty()) { done += ",\"lastError\":"; esc(done, stats.lastError.c_str()); }
  send(done + "}");
}

// ---- keyframes for the contact sheet: upright, fitted into w x h on black ----
std::string uprightFilters(const AVStream *st) {
  size_t size = 0;
  const uint8_t *sd = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (!sd || size < 9 * sizeof(int32_t)) return "";
  double theta = -std::round(av_display_rotation_get(reinterpret_cast<const int32_t *>(sd)));
  theta -= 360 * std::floor(theta / 360 + 0.9 / 360);
  if (std::fabs(theta - 90) < 1) return "transpose=clock,";
  if (std::fabs(theta - 180) < 1) return "hflip,vflip,";
  if (std::fabs(theta - 270) < 1) return "transpose=cclock,";
  return "";
}

void opKeyframes(const Json &req) {
  Input in;
  if (!openInput(req, in) || !openDecoder(in, 0, true)) return;
  const int64_t w = num(req, "w", 160), h = num(req, "h", 90);
  if (w < 16 || h < 16 || w > 1024 || h > 1024) { sendError("tile size out of range"); return; }
  char fit[256];
  snprintf(fit, sizeof fit, "scale=%lld:%lld:force_original_aspect_ratio=decrease,pad=%lld:%lld:-1:-1:black,format=rgb24",
           (long long)w, (long long)h, (long long)w, (long long)h);
  const std::string description = "[in]" + uprightFilters(in.fmt->streams[in.stream]) + fit + "[o0]";
  Graph g;
  std::string failure;
  int64_t n = 0, sent = 0;
  // A sheet is for looking at: frames decoded before a failure still make one.
  decodeAll(in, [&](AVFrame *f) {
    if (!g.matches(f)) failure = g.build(f, description, 1, "flags=bicubic", false);
    if (failure.empty()) failure = filterFrame(g, f, [&](size_t, AVFrame *out) {
      sendRgb("{\"more\":true,\"n\":" + std::to_string(n), out);
      sent += 1;
    });
    n += 1;
    return failure.empty();
  });
  send("{\"done\":true,\"frames\":" + std::to_string(sent) + "}");
}

void opVersion() {
  auto v = [](unsigned x) { return std::to_string(x >> 16) + "." + std::to_string((x >> 8) & 0xff) + "." + std::to_string(x & 0xff); };
  send("{\"libavformat\":\"" + v(avformat_version()) + "\",\"libavcodec\":\"" + v(avcodec_version()) + "\",\"libavfilter\":\"" +
       v(avfilter_version()) + "\",\"libswscale\":\"" + v(swscale_version()) + "\",\"libavutil\":\"" + v(avutil_version()) + "\"}");
}

}  // namespace

int main() {
  if (const char *f = getenv("KESTREL_VIDEO_FAULT")) {
    std::string spec = f;
    size_t colon = spec.find(':');
    if (colon != std::string::npos) { faultKind = spec.substr(0, colon); faultName = spec.substr(colon + 1); }
  }
  // Decoder complaints about damaged streams go to stderr, which the supervisor keeps for incidents.
  av_log_set_level(AV_LOG_ERROR);
  signal(SIGPIPE, SIG_IGN);
  std::vector<char> header, body;
  while (readRequest(header, body)) {
    try {
      Parser parser{header.data(), header.data() + header.size()};
      Json req = parser.value();
      std::string op = str(req, "op");
      if (op == "probe") opProbe(req);
      else if (op == "cropdetect") opCropdetect(req);
      else if (op == "hash") opHash(req);
      else if (op == "keyframes") opKeyframes(req);
      else if (op == "version") opVersion();
      else sendError("unknown op " + op);
    } catch (const std::exception &e) {
      sendError(e.what());
    }
  }
  return 0;
}
