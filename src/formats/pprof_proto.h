/*
 * pprof_proto.h - what the pprof reader (pprof_read.c) and writer
 * (pprof_write.c) share: short names for the protobuf-c message types
 * generated from formats/profile.proto, and the comment prefixes that
 * carry metadata profile.proto has no field for.
 */
#ifndef SCORCH_FORMATS_PPROF_PROTO_H
#define SCORCH_FORMATS_PPROF_PROTO_H

#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_value_type;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;

/* Comments carrying metadata the format has no field for. */
#define META_COMMAND "scorch.command="
#define META_EVENT "scorch.event="
#define META_PID "scorch.pid="
#define META_RATE "scorch.rate_hz="

#endif
