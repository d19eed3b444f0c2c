// The one source of relais_test_pch (tests/CMakeLists.txt), the target that
// builds tests/testing/precompiled.h once for every test executable.
