#include "chat/queue/text_similarity.hpp"

#include <catch2/catch.hpp>

using namespace chat::queue;

TEST_CASE("the same issue in other words is similar", "[similarity]") {
    CHECK(text_similarity("I can't export my invoices to PDF", "Exporting invoices to PDF fails") >= 0.5);
    CHECK(text_similarity("Invoice export to PDF broken!!", "invoice EXPORT to pdf is broken") == Approx(1.0));
}

TEST_CASE("different issues are not similar", "[similarity]") {
    CHECK(text_similarity("I can't export my invoices to PDF", "How do I add a user to my team?") < 0.2);
}

TEST_CASE("stop words and punctuation do not count", "[similarity]") {
    CHECK(significant_words("Hi, please help: the exports are failing!") == std::set<std::string>{"export", "fail"});
    CHECK(text_similarity("hello", "hi please help") == 0.0);
}
