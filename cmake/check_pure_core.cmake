# Fails when a source of the pure core includes Boost, hiredis or nlohmann/json.
# Usage: cmake -DCORE_DIR=<queue dir> -P check_pure_core.cmake
file(GLOB_RECURSE core_sources "${CORE_DIR}/include/*" "${CORE_DIR}/src/*")
foreach(f IN LISTS core_sources)
  file(STRINGS "${f}" bad REGEX "#[ \t]*include[ \t]*[<\"](boost/|hiredis|nlohmann/|libical)")
  if(bad)
    message(FATAL_ERROR "queue/ must stay pure, but ${f} has: ${bad}")
  endif()
endforeach()
