# Fails when a source of server/app/ includes a socket: Beast, Asio's networking, or server/net/.
# The hub talks to an abstract participant; sessions and sockets stay in net/.
# Usage: cmake -DAPP_DIR=<server/app dir> -P check_no_socket.cmake
file(GLOB_RECURSE app_sources "${APP_DIR}/include/*" "${APP_DIR}/src/*")
foreach(f IN LISTS app_sources)
  file(STRINGS "${f}" bad REGEX "#[ \t]*include[ \t]*[<\"](boost/beast|boost/asio/ip/|boost/asio/local/|chat/server/net/)")
  if(bad)
    message(FATAL_ERROR "server/app/ never sees a socket, but ${f} has: ${bad}")
  endif()
endforeach()
