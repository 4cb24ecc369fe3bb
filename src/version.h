/* version.h - the release number printed by --version and in outputs. */
#ifndef SCORCH_VERSION_H
#define SCORCH_VERSION_H
#define SCORCH_VERSION "0.1.0"
#endif
