// size_hints.h — SSEW_COLD, for a function that runs once per message, part or
// tool call (or only on an error path) but lives in a file built for speed.
//
// The WebAssembly build compiles the per-byte and per-event files (the SSE parser,
// UTF-8, JSON reading, MessageState, MessageSession, ...) with -O3 and the rest with
// -Oz, and links with link-time optimization (CMakeLists.txt, SSEW_SPEED_SOURCES).
// SSEW_COLD on a function's definition in one of the -O3 files has clang build that
// one function for size (the `minsize` attribute: what -Oz gives every function),
// so the code that is not on a hot path costs what it would in an -Oz file. It
// changes no behaviour. The profile that decided what is hot (node --cpu-prof on the
// workloads of bench/opt-levels.js) is described in BENCHMARKS.md ("Build flags").
//
// Only clang knows `minsize`; for GCC (the native tests) it is empty.
#pragma once

#if defined(__clang__)
#define SSEW_COLD __attribute__((minsize))
#else
#define SSEW_COLD
#endif
