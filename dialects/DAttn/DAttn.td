//===- DAttn.td - dattn dialect umbrella --------------------*- tablegen -*-===//
#ifndef DATTN_TD
#define DATTN_TD

include "DAttnDialect.td"
include "DAttnAttributes.td"
include "DAttnTypes.td"
include "DAttnOps.td"

#endif // DATTN_TD
