#include "support.hpp"

#include <fstream>
#include <sstream>

namespace oftest {

WorkflowPtr builtin(const std::string& id) {
    auto loaded = Workflow::builtin(id);
    EXPECT_TRUE(loaded.ok()) << loaded.error();
    return loaded.workflow;
}

std::string sourceFile(const std::string& id) {
    std::ifstream in(std::string(ORDERFLOW_WORKFLOWS_DIR) + "/" + id + ".json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

WorkflowPtr loadOk(const json& doc) {
    auto loaded = Workflow::load(doc);
    EXPECT_TRUE(loaded.ok()) << loaded.error();
    return loaded.workflow;
}

std::vector<std::string> codes(const std::vector<orderflow::Error>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors) out.push_back(e.code);
    return out;
}

std::string describe(const std::vector<orderflow::Error>& errors) {
    std::string out;
    for (const auto& e : errors) {
        out += e.code + ": " + e.message + (e.field.empty() ? "" : " [" + e.field + "]");
        if (!e.items.is_null()) out += " " + e.items.dump();  // a stock refusal's short items
        out += "\n";
    }
    return out;
}

}  // namespace oftest
