module github.com/cardhost/cardhost

go 1.26

require github.com/aead/cmac v0.0.0-20160719120800-7af84192f0b1
