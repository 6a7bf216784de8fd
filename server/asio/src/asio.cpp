// Asio's and Beast's own functions, compiled here once for the whole program instead of
// inline in every file that uses them (BOOST_ASIO_SEPARATE_COMPILATION, set for every target).

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
