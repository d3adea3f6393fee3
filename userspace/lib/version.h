/* version.h - the one version string: --version of biofenced and biofence, and the agent's start records; debian/changelog carries the same. */
#ifndef BF_VERSION_H
#define BF_VERSION_H

#define BF_VERSION "0.1.0"

#endif
