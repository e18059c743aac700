# Joins the facade's source modules (wasm/js: argument checks, order reading, engine lifecycle,
# columns, the planBatch call, the argument buffer, the public classes) into the one
# dist/facade.js the package ships. Why: Node's module
# loader costs about 1 ms per module at start-up (measured: five modules made the cold start
# 4-5 ms slower than one), and the cold start is a target. The sources import each other only by
# named imports of `./x.js`; those lines (and the re-export of OrderflowError) are dropped, the
# rest kept in dependency order. Top-level names are unique across the sources.
#
#   cmake -DSRC_DIR=<wasm/js> -DFILES=<a.js|b.js|...> -DOUT=<dist/facade.js> -P join-facade.cmake
string(REPLACE "|" ";" files "${FILES}")
set(out "// Built from wasm/js/ by wasm/join-facade.cmake: ${FILES}. Edit those files, not this one.\n")
foreach(f IN LISTS files)
  file(READ "${SRC_DIR}/${f}" text)
  string(REGEX REPLACE "(^|\n)import [^;]*from '\\./[a-z]+\\.js';\n" "\\1" text "${text}")
  string(REGEX REPLACE "(^|\n)export { OrderflowError } from '\\./args\\.js';\n" "\\1" text "${text}")
  string(APPEND out "\n// ---- ${f} ----\n${text}")
endforeach()
file(WRITE "${OUT}.tmp" "${out}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
