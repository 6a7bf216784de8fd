#include "chat/server/files/file_types.hpp"

#include <catch2/catch.hpp>

using namespace chat::server::files;

TEST_CASE("a file is accepted when its bytes are of an allowed type its name may carry", "[files][types]") {
    file_types t;
    CHECK_FALSE(t.refuse("screen.PNG", "image/png"));
    CHECK_FALSE(t.refuse("trace.log", "text/plain"));
    CHECK_FALSE(t.refuse("Dockerfile", "text/plain"));
    CHECK_FALSE(t.refuse("main.py", "text/x-script.python"));
    CHECK(t.refuse("notes.txt", "image/png") == "the file is image/png but its name ends in .txt");
    CHECK(t.refuse("photo.png", "image/jpeg") == "the file is image/jpeg but its name ends in .png");
    CHECK(t.refuse("run.log", "application/x-executable") == "files of type application/x-executable are not accepted");
    CHECK(t.refuse("page.html", "text/html"));
}

TEST_CASE("a name's extension is checked before any byte arrives", "[files][types]") {
    file_types t;
    CHECK(t.extension_allowed("report.pdf"));
    CHECK(t.extension_allowed("README"));
    CHECK_FALSE(t.extension_allowed("setup.exe"));
    file_types images_only(type_table{{"image/png", {"png"}}});
    CHECK_FALSE(images_only.extension_allowed("a.txt"));
    CHECK(images_only.refuse("a.png", "text/plain"));
}

TEST_CASE("a file name is a name, not a path", "[files][types]") {
    CHECK(valid_file_name("Screenshot 2026-12-07 at 09.41.png"));
    CHECK(valid_file_name("résumé.pdf"));
    CHECK_FALSE(valid_file_name(""));
    CHECK_FALSE(valid_file_name("../etc/passwd"));
    CHECK_FALSE(valid_file_name("a\\b.txt"));
    CHECK_FALSE(valid_file_name("line\nbreak.txt"));
    CHECK_FALSE(valid_file_name(std::string(256, 'a')));
    CHECK(extension_of("archive.TAR.GZ") == "gz");
    CHECK(extension_of(".bashrc") == "");
}
