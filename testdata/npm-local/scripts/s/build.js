require("fs").writeFileSync("built.js", "module.exports = 42;\n");
