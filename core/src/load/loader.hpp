// Internal: the workflow loader, one member function per section of the document (each in its
// own file under core/src/load/), and the readers they share (values.cpp). Every problem is
// collected as {path, message}; with any problem there is no workflow. Nothing here throws:
// types are checked before values are read. Not installed.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "../internal.hpp"

namespace orderflow {
namespace detail {

constexpr std::size_t kMaxProblems = 100;
constexpr int kMaxDepth = 32;
constexpr std::size_t kMaxStatuses = 256, kMaxAliases = 256, kMaxRoles = 64, kMaxFields = 64, kMaxTransitions = 4096, kMaxValues = 256,
                      kMaxListed = 64;
constexpr std::size_t kMaxLabel = 200, kMaxText = 2000, kMaxMaxLength = 1000000;
constexpr std::size_t kMaxMessageBytes = 64 * 1024;  // a rendered message, at most (messages.cpp)

std::string at(const std::string& path, std::string_view key);
std::string at(const std::string& path, std::size_t i);
std::string q(std::string_view s);  // a quoted excerpt for a problem message

// One entry of the document's transitions array as read (transitions.cpp), before wildcards
// are expanded (graph.cpp).
struct TransitionEntry {
    int from;  // -2 = "*"
    int to;
    TransitionDef def;
};

}  // namespace detail

struct Loader {
    std::vector<Problem> problems;
    std::size_t dropped = 0;
    Workflow::Impl* w = nullptr;                   // the workflow being built (run)
    std::vector<detail::TransitionEntry> entries;  // transitions.cpp, read by graph.cpp and defaults.cpp
    std::string scratch;                           // descriptions: checked, not kept

    // `owned`, when given, is the same document handed over by the caller: it becomes the
    // workflow's document() instead of a copy (no copy to make, no parsed value to destroy).
    Loaded run(const json& doc, json* owned = nullptr);

    // ---- sections, in the order they are read (load.cpp: run) ----
    void statuses(const json& doc);                     // statuses.cpp
    void messages(const json& doc);                     // messages.cpp: the templates
    void initial(const json& doc);                      // statuses.cpp
    void aliases(const json& doc);                      // aliases.cpp: legacy status values
    void roles(const json& doc);                        // roles.cpp
    void fields(const json& doc);                       // fields.cpp
    void messageSizes(const json& doc);                 // messages.cpp: what one refusal may cost (needs fields)
    void guards(const json& doc);                       // guards.cpp (the kinds: core/src/guards.cpp)
    void transitions(const json& doc);                  // transitions.cpp
    void graph();                                       // graph.cpp: wildcards expanded, table, reachability
    json document(const json& doc, json* owned) const;  // defaults.cpp: every default filled in

    // ---- readers shared by the sections (values.cpp) ----
    void add(std::string path, std::string message);
    static const json* get(const json& obj, const char* key);
    bool object(const json& v, const std::string& path);
    void keys(const json& obj, const std::string& path, std::initializer_list<const char*> allowed);
    void keys(const json& obj, const std::string& path, const char* const* first, const char* const* last);  // [first, last)
    // A text value: a string without control characters, at most maxChars characters.
    bool text(const json& v, const std::string& path, std::string& out, std::size_t maxChars, bool allowEmpty = false);
    // The same for the value at path.key (key given) or path (key null). The path is written only
    // for a problem: a valid workflow loads without building one per key (fewer allocations).
    bool text(const json& v, const std::string& path, const char* key, std::string& out, std::size_t maxChars, bool allowEmpty);
    bool textKey(const json& obj, const char* key, const std::string& path, bool required, std::string& out, std::size_t maxChars,
                 bool allowEmpty = false);
    bool idKey(const json& obj, const char* key, const std::string& path, std::string& out);
    void boolKey(const json& obj, const char* key, const std::string& path, bool& out);
    const json* arrayKey(const json& obj, const char* key, const std::string& path, bool required, std::size_t min, std::size_t max,
                         const char* what);
    // A list of references (role ids, field ids, guard ids) resolved through `index`.
    std::vector<int> refs(const json& obj, const char* key, const std::string& path, bool required,
                          const std::map<std::string, int, std::less<>>& index, const char* what);
};

}  // namespace orderflow
