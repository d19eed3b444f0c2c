# RELAIS_SANITIZE: ASan + UBSan for the whole build; RELAIS_TSAN: ThreadSanitizer.
if(RELAIS_SANITIZE AND RELAIS_TSAN)
  message(FATAL_ERROR "RELAIS_SANITIZE and RELAIS_TSAN cannot be combined")
endif()
if(RELAIS_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(RELAIS_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

# RELAIS_SANITIZER_RUNTIME: the shared sanitizer runtime the binaries load
# (GCC links it dynamically), or empty. A test that preloads another library
# into a sanitized binary (libfaketime in the dashboard's browser test) puts
# this one first: ASan refuses to start when it does not come first in the
# initial library list.
set(RELAIS_SANITIZER_RUNTIME "")
if(RELAIS_SANITIZE OR RELAIS_TSAN)
  if(RELAIS_SANITIZE)
    set(_relais_runtime_name libasan.so)
  else()
    set(_relais_runtime_name libtsan.so)
  endif()
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${_relais_runtime_name}
                  OUTPUT_VARIABLE _relais_runtime OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  # Clang links its runtime statically and answers the bare name: nothing to preload.
  if(IS_ABSOLUTE "${_relais_runtime}" AND EXISTS "${_relais_runtime}")
    get_filename_component(RELAIS_SANITIZER_RUNTIME "${_relais_runtime}" REALPATH)
  endif()
endif()
