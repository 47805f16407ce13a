/* embed.S - files built into the binary: the schema and the OpenAPI
 * document, each NUL-terminated. */
    .section .rodata
    .global vb_schema_sql
vb_schema_sql:
    .incbin "db/schema.sql"
    .byte 0
    .global vb_openapi_json
vb_openapi_json:
    .incbin "docs/openapi.json"
    .byte 0
    .section .note.GNU-stack,"",@progbits
