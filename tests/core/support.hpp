// Helpers shared by the engine tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "orderflow/workflow.hpp"

namespace oftest {

using orderflow::json;
using orderflow::Workflow;
using orderflow::WorkflowPtr;

// A built-in workflow; fails the test if it does not load.
WorkflowPtr builtin(const std::string& id);
// The text of core/workflows/<id>.json read from the source tree (not through the engine).
std::string sourceFile(const std::string& id);
// A workflow loaded from a JSON value; fails the test if it does not load.
WorkflowPtr loadOk(const json& doc);

std::vector<std::string> codes(const std::vector<orderflow::Error>& errors);
// "code: message [field]" per error, one per line: readable failure output.
std::string describe(const std::vector<orderflow::Error>& errors);

}  // namespace oftest
