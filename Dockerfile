# syntax=docker/dockerfile:1
# A plain multi-stage build, mirroring the README: restore and publish with the .NET 10 SDK, run on
# the ASP.NET runtime image. `docker build --target test .` runs ./test.sh, the README's test command.

# The SDK runs on the building machine's platform; the app is published for the target one, so
# `docker buildx build --platform linux/amd64,linux/arm64 .` builds both without emulating the compiler.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The platform being built for (amd64, arm64), which BuildKit passes: the app is published for it,
# compiled ahead of time (ReadyToRun, see EnrichProxy.csproj).
ARG TARGETARCH
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig EnrichProxy.sln ./
COPY config/ config/
COPY src/EnrichProxy/EnrichProxy.csproj src/EnrichProxy/
RUN dotnet restore src/EnrichProxy/EnrichProxy.csproj -a "$TARGETARCH"
COPY src/ src/
RUN dotnet publish src/EnrichProxy/EnrichProxy.csproj -c Release -a "$TARGETARCH" --no-self-contained --no-restore -o /app

FROM build AS test
COPY tests/ tests/
COPY build/ build/
COPY coverlet.runsettings test.sh ./
RUN ./test.sh

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
COPY --from=build /app /app
# As the arr images have it: one /config volume, the working directory and content root. An appsettings.json
# there overrides the shipped /app/config/appsettings.json key by key (keep only what you change), and the
# data the proxy keeps (the embedded disk L2, overrides, the proxy's CA in data/ca) lands in /config/data.
# Writable by any UID, so that `user: "1000:1000"` works with a fresh named volume; a bind-mounted folder
# keeps its own owner and mode. The CA's key is written readable by its owner only.
WORKDIR /config
RUN mkdir -p /config/data && chmod -R 0777 /config
VOLUME /config
ENV ASPNETCORE_URLS=http://+:5080
# Log timestamps in the operator's zone (TZ=Europe/Berlin); UTC unless set.
ENV TZ=Etc/UTC
# The GC sizes its young generation from the CPU's cache; on hosts that report a large one (a VPS on a
# 256 MiB-L3 EPYC) it keeps 100 MB more than a cache needs. 8 MiB, as on a typical small server
# (README "Memory"; only an environment variable sets it).
ENV DOTNET_GCgen0size=0x800000
EXPOSE 5080
# The forward proxy (5081) and the TLS front door (443), both off by default; Docker 20.10 and later let
# the non-root user below bind 443 inside a container.
EXPOSE 5081 443
# The image has no curl or wget: the app checks itself, at the address the same settings make it listen on.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["dotnet", "/app/EnrichProxy.dll", "healthcheck"]
# Any UID works (see /config above); this is the image's default non-root user.
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/EnrichProxy.dll"]
