// The subcommands of the `relais` program. Each takes the arguments after its
// name and returns the process exit status (0 success, 1 failure, 2 usage).
#pragma once

#include <string>
#include <vector>

namespace relais::cli {

using Args = std::vector<std::string>;

int Serve(const Args& args);     // relais serve [--config FILE]
int Validate(const Args& args);  // relais validate FILE...
int Render(const Args& args);    // relais render [--format mermaid|dot] FILE

}  // namespace relais::cli
