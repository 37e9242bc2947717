//===- Transport.h - How rBlock managers reach each other -------*- C++ -*-===//
//
// A transport delivers a request message to an endpoint and brings its reply
// back. The in-process transport runs every message through the wire codec
// (so tests exercise the encoding and the version check) and can mark an
// instance down, which is how tests fail instances. An MPI transport
// implements the same call between processes.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_TRANSPORT_H
#define DISTATTN_RBLOCK_TRANSPORT_H

#include "distattn/rblock/Protocol.h"

#include <functional>
#include <map>
#include <set>

namespace distattn::rblock {

class Endpoint {
public:
  virtual ~Endpoint() = default;
  virtual Message handle(const Message &m) = 0;
};

class Transport {
public:
  virtual ~Transport() = default;
  /// Sends `m` to `dst` and returns its reply. An unreachable destination
  /// yields a reply with Status::Unreachable, never an exception.
  virtual Message call(InstanceId dst, Message m) = 0;

  /// Split-phase call: post() sends and returns a ticket, wait() returns the
  /// reply. Between the two the caller computes (decode overlaps the local
  /// micro-attention with the remote ones this way). The default runs the
  /// call inside post(), which is all an in-process transport can do.
  using Ticket = int64_t;
  virtual Ticket post(InstanceId dst, Message m);
  virtual Message wait(Ticket t);

private:
  std::map<Ticket, Message> done;
  Ticket nextTicket = 0;
};

class InProcessTransport final : public Transport {
public:
  void attach(InstanceId id, Endpoint *endpoint) { endpoints[id] = endpoint; }
  void detach(InstanceId id) { endpoints.erase(id); }
  void setDown(InstanceId id, bool down);
  bool isDown(InstanceId id) const { return down.count(id) != 0; }
  /// A test hook run on every reply before it is returned; returning false
  /// drops the reply (the caller sees Unreachable), as a lost ack would.
  std::function<bool(const Message &request, const Message &reply)> replyFilter;

  Message call(InstanceId dst, Message m) override;

  uint64_t messages = 0;
  uint64_t wireBytes = 0;

private:
  std::map<InstanceId, Endpoint *> endpoints;
  std::set<InstanceId> down;
};

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_TRANSPORT_H
