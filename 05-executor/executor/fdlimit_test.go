package executor

const childEnv = "EXECUTOR_TEST_CHILD"

func runChild(string) int { return 2 }
