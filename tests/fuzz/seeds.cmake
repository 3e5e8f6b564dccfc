# cmake -DSOURCE_ROOT=... -DOUT=... -P seeds.cmake
# Seed corpora for the fuzz targets, one directory each, files named after their source path
# (scenarios/x.yaml -> scenarios_x.yaml) so nothing collides:
#   fuzz_scenario, fuzz_run: scenarios/**/*.yaml, models/**/*.yaml, tests/malformed/*.yaml,
#                            tests/fuzz/seeds/*.yaml (small books that reach every stage)
#   fuzz_csv:                scenarios/*.csv, tests/malformed/*.csv
# plus tests/fuzz/regressions/<target>/*.

file(REMOVE_RECURSE ${OUT})
file(GLOB_RECURSE yaml_seeds RELATIVE ${SOURCE_ROOT}
     ${SOURCE_ROOT}/scenarios/*.yaml ${SOURCE_ROOT}/models/*.yaml
     ${SOURCE_ROOT}/tests/malformed/*.yaml ${SOURCE_ROOT}/tests/fuzz/seeds/*.yaml)
file(GLOB csv_seeds RELATIVE ${SOURCE_ROOT}
     ${SOURCE_ROOT}/scenarios/*.csv ${SOURCE_ROOT}/tests/malformed/*.csv)

function(add_seeds target)
  foreach(rel ${ARGN})
    string(REPLACE "/" "_" name "${rel}")
    configure_file(${SOURCE_ROOT}/${rel} ${OUT}/${target}/${name} COPYONLY)
  endforeach()
  file(GLOB regressions RELATIVE ${SOURCE_ROOT}
       ${SOURCE_ROOT}/tests/fuzz/regressions/${target}/*)
  foreach(rel ${regressions})
    get_filename_component(name "${rel}" NAME)
    if(NOT name MATCHES "^\\.")
      configure_file(${SOURCE_ROOT}/${rel} ${OUT}/${target}/regression_${name} COPYONLY)
    endif()
  endforeach()
  file(MAKE_DIRECTORY ${OUT}/${target})
endfunction()

add_seeds(fuzz_scenario ${yaml_seeds})
add_seeds(fuzz_run ${yaml_seeds})
add_seeds(fuzz_csv ${csv_seeds})
