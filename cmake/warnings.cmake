# chat_warnings: the warning flags every target of ours compiles with.
add_library(chat_warnings INTERFACE)
target_compile_options(chat_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough -Wformat=2
  $<$<BOOL:${CHAT_WERROR}>:-Werror>)
