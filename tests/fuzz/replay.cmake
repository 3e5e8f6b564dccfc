# Replay the fuzz regression corpus with the ordinary compiler on every CTest run.
# Included from tests/CMakeLists.txt:
#     include(${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay.cmake)
# For each target, replay_<target> (the target's LLVMFuzzerTestOneInput under replay.c's main)
# runs every file of tests/fuzz/regressions/<target>/; test fuzz.replay.<target>, label fuzz.
# With -DBOOKVAL_SANITIZE=ON the replays run under ASan and UBSan as well.

set(FUZZ_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR})
foreach(target fuzz_scenario fuzz_csv fuzz_run)
  add_executable(replay_${target} ${FUZZ_SOURCE_DIR}/replay.c ${FUZZ_SOURCE_DIR}/${target}.c
                 ${FUZZ_SOURCE_DIR}/fuzz_common.c)
  target_compile_options(replay_${target} PRIVATE ${BOOKVAL_WARNINGS})
  target_link_libraries(replay_${target} PRIVATE libbookval)
  target_compile_definitions(replay_${target} PRIVATE FUZZ_SOURCE_ROOT="${PROJECT_SOURCE_DIR}")
  add_test(NAME fuzz.replay.${target}
           COMMAND replay_${target} ${FUZZ_SOURCE_DIR}/regressions/${target})
  set_tests_properties(fuzz.replay.${target} PROPERTIES LABELS fuzz TIMEOUT 300)
endforeach()
