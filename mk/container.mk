# Container image (Dockerfile at the root), built and tested with podman.
#   make container-test    install podman, buildah, runc, debootstrap when missing;
#                          write $(BUILD)/container/containers.conf (runc, lowered
#                          ulimits; CONTAINERS_CONF points at it); make sure the
#                          base debian:bookworm-slim exists (pulled, or built with
#                          debootstrap from apt's own mirror when no registry
#                          answers, once); podman build; run the image on a free
#                          port; tests/api against it (VERBATIM_BASE_URL); frontend,
#                          user, HEALTHCHECK, SIGHUP, SIGTERM; the image size
#   make container-systemd-test   deploy/verbatimd.service under systemd (PID 1 of a
#                          privileged container): started sandboxed as a dynamic
#                          user, reloaded, stopped with exit 0
#   make deploy-check      lint deploy/: systemd-analyze (verify, security),
#                          yamllint and the Kubernetes API models (python3-kubernetes)
#   make container-image   the base and the image only (CONTAINER_IMAGE=verbatim)
#   make container-base    the base only (MIRROR=URL overrides apt's sources)
#   make container-clean   remove the image and $(BUILD)/container (keeps the base)
# Not part of `make test`: it needs root (or sudo) for podman and debootstrap.
CONTAINER_IMAGE ?= verbatim
CONTAINER_SH = BUILD=$(BUILD) IMAGE=$(CONTAINER_IMAGE) bash tools/container.sh

.PHONY: container-test container-systemd-test deploy-check container-image container-base container-deps container-clean

container-test:
	@sh tools/deps.sh test
	@$(CONTAINER_SH) test

container-systemd-test:
	@$(CONTAINER_SH) systemd

deploy-check:
	@sh tools/deploy_check.sh

container-image:
	@$(CONTAINER_SH) image

container-base:
	@$(CONTAINER_SH) base

container-deps:
	@$(CONTAINER_SH) deps

container-clean:
	@$(CONTAINER_SH) clean
