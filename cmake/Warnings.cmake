# relais_warnings: an interface target every Relais target links to.
add_library(relais_warnings INTERFACE)
target_compile_options(relais_warnings INTERFACE -Wall -Wextra -Wpedantic
  -Wnon-virtual-dtor -Wno-missing-field-initializers
  # GCC 12 reports std::string operator+ falsely (GCC PR105329).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict -Wshadow=local>
  $<$<CXX_COMPILER_ID:Clang>:-Wshadow-uncaptured-local>)
