# Sourced by run_fuzzer.sh: the contract parser on DOCX (input = document.xml).
source "$src/tests/fuzz/targets/contract_sources.sh"
sources=("$src/tests/fuzz/contract_docx_fuzz.cpp" "${contract_sources[@]}")
seed() {
  local w='xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
  printf '<?xml version="1.0"?><w:document %s><w:body><w:p><w:r><w:t>Customer: Acme Inc.</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Product</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Quantity</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Seats</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>20</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:pPr><w:numPr/></w:pPr><w:r><w:t>Annual Fee: $1,000</w:t><w:br w:type="page"/><w:tab/></w:r></w:p></w:body></w:document>' "$w" >"$1/docx0"
}
