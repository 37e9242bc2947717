//===- MpiTransport.cpp - rBlock messages between MPI ranks ---------------===//
#include "distattn/rblock/MpiTransport.h"

namespace distattn::rblock {

namespace {
constexpr int kRequestTag = 7301;
constexpr int kReplyTag = 7302;
constexpr int kStopTag = 7303;

std::vector<unsigned char> receiveBytes(MPI_Comm comm, int source, int tag,
                                        int *from) {
  MPI_Status st;
  MPI_Probe(source, tag, comm, &st);
  int count = 0;
  MPI_Get_count(&st, MPI_BYTE, &count);
  std::vector<unsigned char> buf(count);
  MPI_Recv(buf.data(), count, MPI_BYTE, st.MPI_SOURCE, tag, comm,
           MPI_STATUS_IGNORE);
  if (from)
    *from = st.MPI_SOURCE;
  return buf;
}
} // namespace

MpiTransport::MpiTransport(MPI_Comm c) : comm(c) {
  MPI_Comm_rank(comm, &myRank);
  MPI_Comm_size(comm, &worldSize);
}

MpiTransport::~MpiTransport() {
  for (auto &[wire, req] : replySends)
    MPI_Wait(&req, MPI_STATUS_IGNORE);
}

Message MpiTransport::deliverLocally(const Message &m) {
  std::optional<Message> in = decode(encode(m));
  if (!in || in->version != kProtocolVersion)
    return makeReply(m, Status::VersionMismatch);
  auto it = endpoints.find(in->dst);
  if (it == endpoints.end())
    return makeReply(*in, Status::Unreachable);
  return it->second->handle(*in);
}

Transport::Ticket MpiTransport::post(InstanceId dst, Message m) {
  m.dst = dst;
  Ticket t = nextTicket++;
  Pending &p = pending[t];
  p.dst = dst;
  p.rank = rankOf(dst);
  if (p.rank < 0 || p.rank >= worldSize) {
    p.done = true;
    p.reply = makeReply(m, Status::Unreachable);
    return t;
  }
  if (p.rank == myRank) {
    p.done = true;
    p.reply = deliverLocally(m);
    return t;
  }
  p.wire = encode(m);
  MPI_Isend(p.wire.data(), int(p.wire.size()), MPI_BYTE, p.rank, kRequestTag,
            comm, &p.send);
  awaiting[p.rank].push_back(t);
  return t;
}

bool MpiTransport::receiveReply(int fromRank) {
  int flag = 0;
  MPI_Iprobe(fromRank, kReplyTag, comm, &flag, MPI_STATUS_IGNORE);
  if (!flag)
    return false;
  std::vector<unsigned char> wire =
      receiveBytes(comm, fromRank, kReplyTag, nullptr);
  std::deque<Ticket> &queue = awaiting[fromRank];
  Ticket t = queue.front();
  queue.pop_front();
  Pending &p = pending[t];
  std::optional<Message> reply = decode(wire);
  p.reply = reply ? *reply : Message{};
  if (!reply)
    p.reply.status = Status::VersionMismatch;
  p.done = true;
  return true;
}

void MpiTransport::progressSends() {
  for (auto it = replySends.begin(); it != replySends.end();) {
    int flag = 0;
    MPI_Test(&it->second, &flag, MPI_STATUS_IGNORE);
    it = flag ? replySends.erase(it) : std::next(it);
  }
}

bool MpiTransport::poll() {
  progressSends();
  int flag = 0;
  MPI_Iprobe(MPI_ANY_SOURCE, kRequestTag, comm, &flag, MPI_STATUS_IGNORE);
  if (!flag)
    return false;
  int from = 0;
  std::vector<unsigned char> wire =
      receiveBytes(comm, MPI_ANY_SOURCE, kRequestTag, &from);
  std::optional<Message> in = decode(wire);
  Message reply;
  if (!in) {
    reply.status = Status::VersionMismatch;
  } else if (in->version != kProtocolVersion) {
    reply = makeReply(*in, Status::VersionMismatch);
  } else {
    auto it = endpoints.find(in->dst);
    reply = it == endpoints.end() ? makeReply(*in, Status::Unreachable)
                                  : it->second->handle(*in);
  }
  // Non-blocking: two ranks replying to each other must not wait on each
  // other's receive.
  replySends.emplace_back(encode(reply), MPI_REQUEST_NULL);
  auto &back = replySends.back();
  MPI_Isend(back.first.data(), int(back.first.size()), MPI_BYTE, from,
            kReplyTag, comm, &back.second);
  return true;
}

Message MpiTransport::wait(Ticket t) {
  auto it = pending.find(t);
  if (it == pending.end())
    return Message{};
  while (!it->second.done) {
    // Keep serving others while our reply is on its way.
    if (!receiveReply(it->second.rank))
      poll();
  }
  if (it->second.send != MPI_REQUEST_NULL)
    MPI_Wait(&it->second.send, MPI_STATUS_IGNORE);
  Message reply = std::move(it->second.reply);
  pending.erase(it);
  return reply;
}

void MpiTransport::serve() {
  for (;;) {
    poll();
    int flag = 0;
    MPI_Iprobe(0, kStopTag, comm, &flag, MPI_STATUS_IGNORE);
    if (flag) {
      char dummy;
      MPI_Recv(&dummy, 1, MPI_BYTE, 0, kStopTag, comm, MPI_STATUS_IGNORE);
      break;
    }
  }
  for (auto &[wire, req] : replySends)
    MPI_Wait(&req, MPI_STATUS_IGNORE);
  replySends.clear();
}

void MpiTransport::barrier() {
  MPI_Request req;
  MPI_Ibarrier(comm, &req);
  int flag = 0;
  while (!flag) {
    poll();
    MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
  }
}

void MpiTransport::stopAll() {
  char dummy = 0;
  for (int r = 0; r < worldSize; ++r)
    if (r != myRank)
      MPI_Send(&dummy, 1, MPI_BYTE, r, kStopTag, comm);
}

} // namespace distattn::rblock
