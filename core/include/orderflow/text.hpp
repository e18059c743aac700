// orderflow: the engine's UTF-8 decoder, for code beside the engine that writes or checks text
// (the wasm bindings' JSON writer). One decoder, so the engine and what writes its answers agree
// on which bytes are valid UTF-8 (no overlong forms, no UTF-16 surrogates, nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <string_view>

namespace orderflow {

// Length in bytes of the UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when the bytes
// there are not a well-formed sequence. i must be < s.size().
std::size_t utf8SequenceLength(std::string_view s, std::size_t i);

}  // namespace orderflow
