module.exports = "bin-lib";
