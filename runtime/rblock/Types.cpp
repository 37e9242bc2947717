//===- Types.cpp - rBlock status names ------------------------------------===//
#include "distattn/rblock/Types.h"

namespace distattn::rblock {

const char *statusName(Status s) {
  switch (s) {
  case Status::Ok:
    return "Ok";
  case Status::OutOfMemory:
    return "OutOfMemory";
  case Status::NoFreeBlocks:
    return "NoFreeBlocks";
  case Status::OverLendCap:
    return "OverLendCap";
  case Status::NotOwner:
    return "NotOwner";
  case Status::UnknownRequest:
    return "UnknownRequest";
  case Status::DuplicateRequest:
    return "DuplicateRequest";
  case Status::RequestLost:
    return "RequestLost";
  case Status::BadSlot:
    return "BadSlot";
  case Status::Unreachable:
    return "Unreachable";
  case Status::VersionMismatch:
    return "VersionMismatch";
  case Status::CopyFailed:
    return "CopyFailed";
  }
  return "?";
}

} // namespace distattn::rblock
