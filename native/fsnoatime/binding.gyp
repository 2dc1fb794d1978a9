{
  "targets": [
    {
      "target_name": "fsnoatime",
      "sources": ["fsnoatime.c"],
      "cflags_c": ["-std=c11", "-Wall", "-Wextra"]
    }
  ]
}
