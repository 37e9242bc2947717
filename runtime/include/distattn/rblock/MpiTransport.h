//===- MpiTransport.h - rBlock messages between MPI ranks -------*- C++ -*-===//
//
// One MPI rank per instance (instance i is rank i; the gManager lives on rank
// 0). A request travels as the encoded message on a request tag; its reply
// comes back on a reply tag. While a rank waits for a reply it keeps serving
// the requests addressed to it, so nested exchanges (a recall whose debtor
// releases slots on the recalling rank) do not deadlock. Replies from one
// rank arrive in the order of the requests (MPI does not overtake messages of
// one source and tag), which is how split-phase calls are matched.
//
//===----------------------------------------------------------------------===//
#ifndef DISTATTN_RBLOCK_MPITRANSPORT_H
#define DISTATTN_RBLOCK_MPITRANSPORT_H

#include "distattn/rblock/Transport.h"

#include <mpi.h>

#include <deque>
#include <list>

namespace distattn::rblock {

class MpiTransport final : public Transport {
public:
  explicit MpiTransport(MPI_Comm comm = MPI_COMM_WORLD);
  ~MpiTransport() override;

  int rank() const { return myRank; }
  int size() const { return worldSize; }
  /// Registers an endpoint living on this rank (an rManager, the gManager).
  void attach(InstanceId id, Endpoint *endpoint) { endpoints[id] = endpoint; }

  Message call(InstanceId dst, Message m) override {
    return wait(post(dst, m));
  }
  Ticket post(InstanceId dst, Message m) override;
  Message wait(Ticket t) override;

  /// Serves one pending request if there is one; returns whether it did.
  bool poll();
  /// Serves requests until rank 0 calls stopAll().
  void serve();
  /// Rank 0: releases every other rank from serve().
  void stopAll();
  /// A barrier that keeps serving requests while it waits, so ranks can take
  /// turns driving operations that need the others to answer.
  void barrier();

private:
  struct Pending {
    InstanceId dst;
    int rank;
    std::vector<unsigned char> wire; // alive until the send completes
    MPI_Request send = MPI_REQUEST_NULL;
    bool done = false;
    Message reply;
  };
  int rankOf(InstanceId id) const { return id == kGManagerId ? 0 : int(id); }
  Message deliverLocally(const Message &m);
  bool receiveReply(int fromRank);
  void progressSends();

  MPI_Comm comm;
  int myRank = 0, worldSize = 1;
  std::map<InstanceId, Endpoint *> endpoints;
  std::map<Ticket, Pending> pending;
  std::map<int, std::deque<Ticket>> awaiting; // per rank, in send order
  std::list<std::pair<std::vector<unsigned char>, MPI_Request>> replySends;
  Ticket nextTicket = 0;
};

} // namespace distattn::rblock

#endif // DISTATTN_RBLOCK_MPITRANSPORT_H
