# chat_allocator: the memory allocator of the programs that serve or carry load. jemalloc:
# under load glibc's malloc took a fifth of chatd's CPU (docs/performance.md). Off under the
# sanitizers, which bring their own.
option(CHAT_JEMALLOC "Link chatd, the floors and the load generator with jemalloc" ON)
add_library(chat_allocator INTERFACE)
if(CHAT_JEMALLOC AND NOT CHAT_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  target_link_libraries(chat_allocator INTERFACE PkgConfig::JEMALLOC)
  message(STATUS "chatd: allocator jemalloc ${JEMALLOC_VERSION}")
endif()
