# chat_warnings: the warning flags every target of ours compiles with.
add_library(chat_warnings INTERFACE)
target_compile_options(chat_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2
  # Asio's scheduler, once inlined, trips -Wnull-dereference inside Boost's own headers.
  $<$<NOT:$<BOOL:$<TARGET_PROPERTY:CHAT_USES_ASIO>>>:-Wnull-dereference>
  $<$<BOOL:${CHAT_WERROR}>:-Werror>)
