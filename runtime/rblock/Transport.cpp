//===- Transport.cpp - In-process transport -------------------------------===//
#include "distattn/rblock/Transport.h"

namespace distattn::rblock {

Transport::Ticket Transport::post(InstanceId dst, Message m) {
  Ticket t = nextTicket++;
  done[t] = call(dst, std::move(m));
  return t;
}

Message Transport::wait(Ticket t) {
  auto it = done.find(t);
  if (it == done.end()) {
    Message unknown;
    unknown.status = Status::Unreachable;
    return unknown;
  }
  Message m = std::move(it->second);
  done.erase(it);
  return m;
}

void InProcessTransport::setDown(InstanceId id, bool isDown) {
  if (isDown)
    down.insert(id);
  else
    down.erase(id);
}

Message InProcessTransport::call(InstanceId dst, Message m) {
  m.dst = dst;
  auto it = endpoints.find(dst);
  if (it == endpoints.end() || isDown(dst))
    return makeReply(m, Status::Unreachable);
  // Through the wire format both ways, as a real transport would.
  std::vector<unsigned char> wire = encode(m);
  ++messages;
  wireBytes += wire.size();
  std::optional<Message> delivered = decode(wire);
  Message reply;
  if (!delivered)
    reply = makeReply(m, Status::VersionMismatch);
  else if (delivered->version != kProtocolVersion)
    reply = makeReply(*delivered, Status::VersionMismatch);
  else
    reply = it->second->handle(*delivered);
  std::vector<unsigned char> back = encode(reply);
  wireBytes += back.size();
  std::optional<Message> returned = decode(back);
  if (!returned)
    return makeReply(m, Status::VersionMismatch);
  if (replyFilter && !replyFilter(m, *returned))
    return makeReply(m, Status::Unreachable);
  return *returned;
}

} // namespace distattn::rblock
