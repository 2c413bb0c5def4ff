#include "core/text.h"

#include <gtest/gtest.h>

namespace cscx::core {
namespace {

TEST(TrimBlanks, RemovesSpacesAndTabsAtBothEndsOnly) {
  EXPECT_EQ(trim_blanks(" \t a b\t c \t "), "a b\t c");
  EXPECT_EQ(trim_blanks("abc"), "abc");
}

TEST(TrimBlanks, EmptyAndAllBlankGiveEmpty) {
  EXPECT_EQ(trim_blanks(""), "");
  EXPECT_EQ(trim_blanks(" \t\t "), "");
}

TEST(TrimBlanks, KeepsOtherWhitespace) {
  // CR, LF, vertical tab and form feed are not HTTP's optional whitespace.
  EXPECT_EQ(trim_blanks("\r\n x \v\f"), "\r\n x \v\f");
}

static_assert(trim_blanks("  x ") == "x");

}  // namespace
}  // namespace cscx::core
