module.exports = [
  { ignores: ["dist/**"] },
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly", describe: "readonly", test: "readonly", expect: "readonly" },
    },
    rules: { "no-unused-vars": "error", "no-undef": "error", "prefer-const": "error" },
  },
];
