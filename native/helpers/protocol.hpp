// The helper side of native/helpers/frames.ts, shared by Kestrel's C++ helpers (kestrel-tsk,
// kestrel-video): frames on stdin/stdout (u32 LE header length, u32 LE body length, JSON header,
// raw body), a small JSON reader for request headers and the writers for replies.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace helper {

// ---- a small JSON reader for request headers (objects, arrays, strings, numbers, literals) ----
struct Json {
  enum Kind { Null, Bool, Num, Str, Arr, Obj } kind = Null;
  bool b = false;
  double n = 0;
  std::string s;
  std::vector<Json> a;
  std::map<std::string, Json> o;
  const Json *get(const std::string &k) const {
    auto it = o.find(k);
    return it == o.end() ? nullptr : &it->second;
  }
};

struct Parser {
  const char *p, *end;
  void ws() { while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p; }
  [[noreturn]] void fail() { throw std::runtime_error("malformed request header"); }
  Json value() {
    ws();
    if (p >= end) fail();
    Json j;
    if (*p == '{') {
      j.kind = Json::Obj; ++p; ws();
      if (p < end && *p == '}') { ++p; return j; }
      for (;;) {
        ws(); Json k = value(); if (k.kind != Json::Str) fail();
        ws(); if (p >= end || *p != ':') fail(); ++p;
        j.o[k.s] = value(); ws();
        if (p < end && *p == ',') { ++p; continue; }
        if (p < end && *p == '}') { ++p; return j; }
        fail();
      }
    }
    if (*p == '[') {
      j.kind = Json::Arr; ++p; ws();
      if (p < end && *p == ']') { ++p; return j; }
      for (;;) {
        j.a.push_back(value()); ws();
        if (p < end && *p == ',') { ++p; continue; }
        if (p < end && *p == ']') { ++p; return j; }
        fail();
      }
    }
    if (*p == '"') {
      j.kind = Json::Str; ++p;
      while (p < end && *p != '"') {
        if (*p == '\\') {
          ++p; if (p >= end) fail();
          char c = *p++;
          switch (c) {
            case 'n': j.s += '\n'; break; case 't': j.s += '\t'; break; case 'r': j.s += '\r'; break;
            case 'b': j.s += '\b'; break; case 'f': j.s += '\f'; break;
            case 'u': {
              if (end - p < 4) fail();
              unsigned cp = std::stoul(std::string(p, 4), nullptr, 16); p += 4;
              if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                unsigned lo = std::stoul(std::string(p + 2, 4), nullptr, 16); p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              }
              if (cp < 0x80) j.s += char(cp);
              else if (cp < 0x800) { j.s += char(0xC0 | (cp >> 6)); j.s += char(0x80 | (cp & 0x3F)); }
              else if (cp < 0x10000) { j.s += char(0xE0 | (cp >> 12)); j.s += char(0x80 | ((cp >> 6) & 0x3F)); j.s += char(0x80 | (cp & 0x3F)); }
              else { j.s += char(0xF0 | (cp >> 18)); j.s += char(0x80 | ((cp >> 12) & 0x3F)); j.s += char(0x80 | ((cp >> 6) & 0x3F)); j.s += char(0x80 | (cp & 0x3F)); }
              break;
            }
            default: j.s += c;
          }
        } else j.s += *p++;
      }
      if (p >= end) fail();
      ++p;
      return j;
    }
    if (end - p >= 4 && !strncmp(p, "true", 4)) { p += 4; j.kind = Json::Bool; j.b = true; return j; }
    if (end - p >= 5 && !strncmp(p, "false", 5)) { p += 5; j.kind = Json::Bool; return j; }
    if (end - p >= 4 && !strncmp(p, "null", 4)) { p += 4; return j; }
    char *stop = nullptr;
    std::string num(p, std::min<size_t>(end - p, 40));
    j.n = strtod(num.c_str(), &stop);
    if (stop == num.c_str()) fail();
    p += stop - num.c_str();
    j.kind = Json::Num;
    return j;
  }
};

// ---- writing replies ----
inline void esc(std::string &out, const char *s) {
  out += '"';
  for (const unsigned char *c = (const unsigned char *)s; *c; ++c) {
    if (*c == '"' || *c == '\\') { out += '\\'; out += char(*c); }
    else if (*c < 0x20 || *c >= 0x80) { char b[8]; snprintf(b, sizeof b, "\\u%04x", *c); out += b; }
    else out += char(*c);
  }
  out += '"';
}

// Text as JSON: UTF-8 passes through as it is (tags, names), control characters are escaped.
inline void escText(std::string &out, const char *s) {
  out += '"';
  for (const unsigned char *c = (const unsigned char *)s; *c; ++c) {
    if (*c == '"' || *c == '\\') { out += '\\'; out += char(*c); }
    else if (*c < 0x20 || *c == 0x7f) { char b[8]; snprintf(b, sizeof b, "\\u%04x", *c); out += b; }
    else out += char(*c);
  }
  out += '"';
}

inline void hex(std::string &out, const char *s, size_t n) {
  static const char *d = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < n; ++i) { unsigned char c = s[i]; out += d[c >> 4]; out += d[c & 15]; }
  out += '"';
}

inline void writeAll(const void *buf, size_t n) {
  const char *p = (const char *)buf;
  while (n > 0) {
    ssize_t w = write(1, p, n);
    if (w < 0) { if (errno == EINTR) continue; _exit(2); }
    p += w; n -= size_t(w);
  }
}

inline void send(const std::string &header, const char *body = nullptr, size_t bodyLen = 0) {
  uint8_t prefix[8];
  uint32_t h = uint32_t(header.size()), b = uint32_t(bodyLen);
  for (int i = 0; i < 4; ++i) { prefix[i] = (h >> (8 * i)) & 0xff; prefix[4 + i] = (b >> (8 * i)) & 0xff; }
  writeAll(prefix, 8);
  writeAll(header.data(), header.size());
  if (bodyLen) writeAll(body, bodyLen);
}

inline void sendError(const std::string &message) {
  std::string h = "{\"error\":";
  esc(h, message.c_str());
  h += '}';
  send(h);
}
inline bool readExact(void *buf, size_t n) {
  char *p = (char *)buf;
  while (n > 0) {
    ssize_t r = read(0, p, n);
    if (r == 0) return false;
    if (r < 0) { if (errno == EINTR) continue; return false; }
    p += r; n -= size_t(r);
  }
  return true;
}

inline int64_t num(const Json &req, const char *key, int64_t dflt) {
  const Json *v = req.get(key);
  return v && v->kind == Json::Num ? int64_t(v->n) : dflt;
}

inline std::string str(const Json &req, const char *key) {
  const Json *v = req.get(key);
  return v && v->kind == Json::Str ? v->s : std::string();
}

// One request from stdin; false at end of input or on a frame no Kestrel would send.
inline bool readRequest(std::vector<char> &header, std::vector<char> &body) {
  uint8_t prefix[8];
  if (!readExact(prefix, 8)) return false;
  uint32_t h = 0, b = 0;
  for (int i = 0; i < 4; ++i) { h |= uint32_t(prefix[i]) << (8 * i); b |= uint32_t(prefix[4 + i]) << (8 * i); }
  if (h > (1u << 24) || b > (1u << 24)) return false;
  header.resize(h);
  body.resize(b);
  return readExact(header.data(), h) && readExact(body.data(), b);
}

}  // namespace helper
