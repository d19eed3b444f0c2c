# relais_add_test(NAME SOURCES a.cc b.cc LIBS lib...): one test executable per
# test file, registered with ctest through gtest_discover_tests.
function(relais_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} relais_testing GTest::gtest GTest::gmock GTest::gtest_main relais_warnings)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${T_LABELS}")
endfunction()
