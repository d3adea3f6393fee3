/* onvif_probe.c - attack: a program the policy does not name probes the camera network with ONVIF WS-Discovery (UDP multicast 239.255.255.250:3702) to find the cameras' stream addresses. */
#include "attack.h"

/* A WS-Discovery Probe for network video transmitters, as ONVIF clients send it. */
static const char probe[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\" "
	"xmlns:w=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
	"xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
	"xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\">"
	"<e:Header><w:MessageID>uuid:bf-attack-onvif-probe</w:MessageID>"
	"<w:To e:mustUnderstand=\"true\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
	"<w:Action e:mustUnderstand=\"true\">"
	"http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>"
	"<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body>"
	"</e:Envelope>";

int main(int argc, char **argv)
{
	const char *route = "onvif_probe";
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	at_need_inet(route, argc == 2 ? argv[1] : "239.255.255.250:3702", &ss, &len);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return at_report_errno(route, "socket", errno);
	if (sendto(fd, probe, sizeof(probe) - 1, 0, (struct sockaddr *)&ss, len) < 0) {
		/* No multicast route is the network's answer, after biofence let the probe by. */
		if (errno == ENETUNREACH)
			at_result(route, "through", "sendto passed biofence's hook (then: no multicast route here)");
		else
			at_report_errno(route, "sendto", errno);
		close(fd);
		return 0;
	}
	close(fd);
	at_result(route, "through", "the probe went out (%zu bytes)", sizeof(probe) - 1);
	return 0;
}
