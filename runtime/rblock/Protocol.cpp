//===- Protocol.cpp - rBlock message wire format --------------------------===//
//
// Little-endian host layout (every distattn host is x86-64 or aarch64):
//   u32 magic, u16 version, u16 kind, i32 src, i32 dst, i64 request, i64 a,
//   i64 b, i32 status, u32 nInts, u32 nFloats, u32 nBytes, then the arrays.
//
//===----------------------------------------------------------------------===//
#include "distattn/rblock/Protocol.h"

#include <cstring>

namespace distattn::rblock {

namespace {

constexpr size_t kHeaderBytes = 4 + 2 + 2 + 4 + 4 + 8 + 8 + 8 + 4 + 4 * 3;

template <typename T> void put(unsigned char *&p, T v) {
  std::memcpy(p, &v, sizeof(T));
  p += sizeof(T);
}
template <typename T> T get(const unsigned char *&p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  p += sizeof(T);
  return v;
}

} // namespace

Message makeReply(const Message &to, Status status) {
  Message r;
  r.kind = MsgKind::Reply;
  r.src = to.dst;
  r.dst = to.src;
  r.request = to.request;
  r.status = status;
  return r;
}

std::vector<unsigned char> encode(const Message &m) {
  size_t size =
      kHeaderBytes + m.ints.size() * 4 + m.floats.size() * 4 + m.bytes.size();
  std::vector<unsigned char> wire(size);
  unsigned char *p = wire.data();
  put(p, kProtocolMagic);
  put(p, m.version);
  put(p, uint16_t(m.kind));
  put(p, m.src);
  put(p, m.dst);
  put(p, m.request);
  put(p, m.a);
  put(p, m.b);
  put(p, int32_t(m.status));
  put(p, uint32_t(m.ints.size()));
  put(p, uint32_t(m.floats.size()));
  put(p, uint32_t(m.bytes.size()));
  if (!m.ints.empty())
    std::memcpy(p, m.ints.data(), m.ints.size() * 4);
  p += m.ints.size() * 4;
  if (!m.floats.empty())
    std::memcpy(p, m.floats.data(), m.floats.size() * 4);
  p += m.floats.size() * 4;
  if (!m.bytes.empty())
    std::memcpy(p, m.bytes.data(), m.bytes.size());
  return wire;
}

std::optional<Message> decode(const std::vector<unsigned char> &wire) {
  if (wire.size() < kHeaderBytes)
    return std::nullopt;
  const unsigned char *p = wire.data();
  if (get<uint32_t>(p) != kProtocolMagic)
    return std::nullopt;
  Message m;
  m.version = get<uint16_t>(p);
  m.kind = MsgKind(get<uint16_t>(p));
  m.src = get<int32_t>(p);
  m.dst = get<int32_t>(p);
  m.request = get<int64_t>(p);
  m.a = get<int64_t>(p);
  m.b = get<int64_t>(p);
  m.status = Status(get<int32_t>(p));
  size_t nInts = get<uint32_t>(p);
  size_t nFloats = get<uint32_t>(p);
  size_t nBytes = get<uint32_t>(p);
  if (wire.size() != kHeaderBytes + nInts * 4 + nFloats * 4 + nBytes)
    return std::nullopt;
  m.ints.resize(nInts);
  m.floats.resize(nFloats);
  m.bytes.assign(p + nInts * 4 + nFloats * 4, wire.data() + wire.size());
  if (nInts)
    std::memcpy(m.ints.data(), p, nInts * 4);
  p += nInts * 4;
  if (nFloats)
    std::memcpy(m.floats.data(), p, nFloats * 4);
  return m;
}

} // namespace distattn::rblock
