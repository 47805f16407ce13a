# Container image (Dockerfile at the root), built and tested with podman.
#   make container-test    install podman, buildah, runc, debootstrap when missing;
#                          write $(BUILD)/container/containers.conf (runc, lowered
#                          ulimits; CONTAINERS_CONF points at it); make sure the
#                          base debian:bookworm-slim exists (pulled, or built with
#                          debootstrap from apt's own mirror when no registry
#                          answers, once); podman build; run the image on a free
#                          port; tests/api against it (VERBATIM_BASE_URL); frontend,
#                          user, HEALTHCHECK, SIGHUP, SIGTERM; the image size
#   make container-image   the base and the image only (CONTAINER_IMAGE=verbatim)
#   make container-base    the base only (MIRROR=URL overrides apt's sources)
#   make container-clean   remove the image and $(BUILD)/container (keeps the base)
# Not part of `make test`: it needs root (or sudo) for podman and debootstrap.
CONTAINER_IMAGE ?= verbatim
CONTAINER_SH = BUILD=$(BUILD) IMAGE=$(CONTAINER_IMAGE) bash tools/container.sh

.PHONY: container-test container-image container-base container-deps container-clean

container-test:
	@sh tools/deps.sh test
	@$(CONTAINER_SH) test

container-image:
	@$(CONTAINER_SH) image

container-base:
	@$(CONTAINER_SH) base

container-deps:
	@$(CONTAINER_SH) deps

container-clean:
	@$(CONTAINER_SH) clean
