# Every HTTP exchange of the tests marked RECORD_EXCHANGES lands here, one
# JSON line each; tests/openapi validates the responses against
# docs/openapi.yaml once they have all run.
set(RELAIS_EXCHANGES_FILE ${CMAKE_BINARY_DIR}/openapi-exchanges.jsonl)

# relais_add_test(NAME SOURCES a.cc b.cc LIBS lib... [RECORD_EXCHANGES]): one
# test executable per test file, registered with ctest through
# gtest_discover_tests. RECORD_EXCHANGES: its tests record their HTTP
# exchanges (tests/testing/exchange_recorder.h) for the OpenAPI response
# validation, which ctest runs after them (fixture relais_openapi_exchanges).
# TEST_PREFIX: prepended to each test's ctest name (so `ctest -R accounts`
# finds a unit's tests).
#
# Test code is compiled at RELAIS_TEST_OPTIMIZATION (-O0): the libraries under
# test keep the build type's -O3, while the test files themselves (gtest
# macros, JSON literals, one function per test) are half the build's compile
# time and do little work of their own; -O0 compiles them about 15% faster
# than -O1 (tests/api/api_test.cc: 14.0 s against 16.7 s). They also start
# from precompiled headers (relais_test_pch, tests/CMakeLists.txt).
set(RELAIS_TEST_OPTIMIZATION -O0 CACHE STRING "Optimization flag of the test executables' own files")
#
# POSTGRES: the tests need the test PostgreSQL server, which ctest starts
# once (fixture `postgres`, tests/testing/postgres_server.sh) and whose
# connection string they read from RELAIS_TEST_POSTGRES.
set(RELAIS_TEST_POSTGRES_PORT 15433 CACHE STRING "Port of the tests' PostgreSQL server (loopback)")
set(RELAIS_TEST_POSTGRES_DIR /tmp/relais-test-postgres-${RELAIS_TEST_POSTGRES_PORT})
set(RELAIS_TEST_POSTGRES_CONNINFO "host=127.0.0.1 port=${RELAIS_TEST_POSTGRES_PORT} user=relais dbname=relais_test")
function(relais_add_test name)
  cmake_parse_arguments(T "RECORD_EXCHANGES;POSTGRES" "TEST_PREFIX" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} relais_testing GTest::gtest GTest::gmock GTest::gtest_main relais_warnings)
  target_compile_options(${name} PRIVATE $<$<NOT:$<CONFIG:Debug>>:${RELAIS_TEST_OPTIMIZATION}>)
  target_precompile_headers(${name} REUSE_FROM relais_test_pch)
  set(record)
  if(T_RECORD_EXCHANGES)
    set(record ENVIRONMENT "RELAIS_RECORD_EXCHANGES=${RELAIS_EXCHANGES_FILE}"
               FIXTURES_SETUP relais_openapi_exchanges FIXTURES_REQUIRED relais_openapi_exchanges_reset)
  endif()
  if(T_POSTGRES)
    target_link_libraries(${name} PRIVATE relais_store_pg)
    target_compile_definitions(${name} PRIVATE RELAIS_TEST_WITH_POSTGRES)
    list(APPEND record ENVIRONMENT "RELAIS_TEST_POSTGRES=${RELAIS_TEST_POSTGRES_CONNINFO}" FIXTURES_REQUIRED postgres)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_PREFIX "${T_TEST_PREFIX}" PROPERTIES LABELS "${T_LABELS}" ${record})
endfunction()
