// The wasm bindings' JSON writer: answers are written as JSON text directly, keys in the
// documented order (see bindings.cpp for the shapes). Header-only: bindings.cpp is its one user.
#pragma once

#include <orderflow/text.hpp>
#include <orderflow/workflow.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orderflow::wasm {

// Answers are written as JSON text directly, keys in the documented order. Strings are escaped
// and any invalid UTF-8 is replaced by U+FFFD, so the text always parses in JS. (A small writer
// instead of a second nlohmann instantiation keeps the module small and the calls cheap.)
class Writer {
public:
    std::string out;

    Writer& raw(std::string_view text) {
        out.append(text);
        return *this;
    }
    Writer& boolean(bool value) { return raw(value ? "true" : "false"); }
    Writer& number(std::uint32_t value) {
        char buf[12];
        int n = 0;
        do {
            buf[n++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value);
        while (n) out.push_back(buf[--n]);
        return *this;
    }
    Writer& string(std::string_view s) {
        static const char hex[] = "0123456789abcdef";
        out.push_back('"');
        std::size_t i = 0;
        std::size_t run = 0;  // start of the pending run of bytes copied as they are
        while (i < s.size()) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                ++i;
                continue;
            }
            if (c >= 0x80) {
                const std::size_t len = utf8SequenceLength(s, i);
                if (len) {
                    i += len;
                    continue;
                }
            }
            out.append(s.data() + run, i - run);
            if (c == '"' || c == '\\') {
                const char escaped[2] = {'\\', static_cast<char>(c)};
                out.append(escaped, 2);
            } else if (c < 0x80) {
                const char escaped[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out.append(escaped, 6);
            } else {
                out.append("\xEF\xBF\xBD", 3);  // invalid UTF-8: U+FFFD
            }
            run = ++i;
        }
        out.append(s.data() + run, i - run);
        out.push_back('"');
        return *this;
    }
    Writer& key(std::string_view k) {
        string(k);
        out.push_back(':');
        return *this;
    }
    // A JSON array of the items of `list`, each written by each(item).
    template <class List, class Each>
    Writer& array(const List& list, Each&& each) {
        out.push_back('[');
        bool first = true;
        for (const auto& item : list) {
            if (!first) out.push_back(',');
            first = false;
            each(item);
        }
        out.push_back(']');
        return *this;
    }
    Writer& strings(const std::vector<std::string>& list) {
        return array(list, [this](const std::string& s) { string(s); });
    }
    Writer& error(const orderflow::Error& e) {
        raw("{").key("code").string(e.code).raw(",").key("message").string(e.message);
        if (!e.field.empty()) raw(",").key("field").string(e.field);
        if (!e.items.is_null()) raw(",").key("items").value(e.items);  // a stock refusal's short items
        return raw("}");
    }
    // A JSON value (the validated workflow document), keys in the json object's (sorted) order.
    // Written here rather than with json::dump so that it runs no more code than it must (the first
    // call runs cold); a non-integer number, rare in a workflow, is left to json::dump.
    Writer& value(const json& v) {
        switch (v.type()) {
            case json::value_t::null: return raw("null");
            case json::value_t::boolean: return boolean(v.get<bool>());
            case json::value_t::string: return string(*v.get_ptr<const std::string*>());
            case json::value_t::number_integer: return raw(std::to_string(v.get<std::int64_t>()));
            case json::value_t::number_unsigned: return raw(std::to_string(v.get<std::uint64_t>()));
            case json::value_t::array: return array(v, [this](const json& item) { value(item); });
            case json::value_t::object: {
                out.push_back('{');
                bool first = true;
                for (auto it = v.begin(); it != v.end(); ++it) {
                    if (!first) out.push_back(',');
                    first = false;
                    key(it.key());
                    value(it.value());
                }
                out.push_back('}');
                return *this;
            }
            default: return raw(v.dump(-1, ' ', false, json::error_handler_t::replace));
        }
    }
    Writer& errors(const std::vector<orderflow::Error>& list) {
        return array(list, [this](const orderflow::Error& e) { error(e); });
    }
};

}  // namespace orderflow::wasm
