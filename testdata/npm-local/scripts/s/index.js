module.exports = require("./built.js");
