# The linker: LLVM's lld (Debian `lld`) when the compiler accepts it. About
# 200 programs are linked (the tests are one executable per file); lld links
# one in about a third of GNU ld's time (a test executable: 0.5 s against 1.6 s).
# RELAIS_LINKER=default keeps the compiler's own.
set(RELAIS_LINKER lld CACHE STRING "Linker passed to -fuse-ld (lld, gold, bfd) or 'default'")
if(NOT RELAIS_LINKER STREQUAL "default")
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=${RELAIS_LINKER}" RELAIS_HAVE_LINKER_${RELAIS_LINKER})
  if(RELAIS_HAVE_LINKER_${RELAIS_LINKER})
    add_link_options("-fuse-ld=${RELAIS_LINKER}")
  else()
    message(STATUS "linker ${RELAIS_LINKER} not found: the compiler's own is used")
  endif()
endif()
