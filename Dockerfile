# syntax=docker/dockerfile:1
# A plain multi-stage build, mirroring the README: restore and publish with the .NET 10 SDK, run on
# the ASP.NET runtime image. `docker build --target test .` runs ./test.sh, the README's test command.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
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
WORKDIR /app
COPY --from=build /app ./
# The embedded disk cache (L2) and the proxy's CA (data/ca, made when the forward proxy or the TLS front
# door is first turned on; its key readable by the app's user only) live in /app/data: mount a volume there
# to keep them across containers. Apps that must trust the CA fetch its certificate from GET /ca.crt.
RUN mkdir -p /app/data/ca && chown -R "$APP_UID" /app/data
VOLUME /app/data
ENV ASPNETCORE_URLS=http://+:5080
# The GC sizes its young generation from the CPU's cache; on hosts that report a large one (a VPS on a
# 256 MiB-L3 EPYC) it keeps 100 MB more than a cache needs. 8 MiB, as on a typical small server
# (README "Memory"; only an environment variable sets it).
ENV DOTNET_GCgen0size=0x800000
EXPOSE 5080
# The forward proxy (5081) and the TLS front door (443), both off by default; Docker 20.10 and later let
# the non-root user below bind 443 inside a container.
EXPOSE 5081 443
USER $APP_UID
ENTRYPOINT ["dotnet", "EnrichProxy.dll"]
