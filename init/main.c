/* main.c: tend's boot sequence (placeholder while modules land). */
#include "config.h"
#include <stdio.h>
#include "common/log.h"
int main(int argc, char **argv)
{
	(void)argc; (void)argv;
	printf("%s\n", PACKAGE_STRING);
	return 0;
}
