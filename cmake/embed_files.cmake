# embed_files(<target> NAMESPACE <ns> VARIABLE <name> FILES <abs paths...>)
#
# Generates a source file that holds each file's bytes and defines
#   std::span<const cscx::core::EmbeddedFile> <ns>::<name>()
# in file-name order. The bytes are written as hex so no file content can
# break the generated C++; the build reruns when a file changes.
function(embed_files target)
  cmake_parse_arguments(ARG "" "NAMESPACE;VARIABLE" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${ARG_VARIABLE}_embedded.cpp)
  set(script ${CMAKE_BINARY_DIR}/embed_one.cmake)
  list(SORT ARG_FILES)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${ARG_NAMESPACE}
            -DVAR=${ARG_VARIABLE} "-DFILES=${ARG_FILES}"
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_generate.cmake
    DEPENDS ${ARG_FILES} ${CMAKE_SOURCE_DIR}/cmake/embed_generate.cmake
    COMMENT "Embedding ${ARG_VARIABLE}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
