#!/usr/bin/env pwsh
# Workers build script. Each target is a plain dotnet command; run with `dotnet tool restore && dotnet pwsh ./build.ps1 <target>`.
#   restore  restore NuGet packages
#   build    build the solution (warnings are errors)
#   test     run every test project (unit, then real worker-node processes)
#   pack     create NuGet packages in ./artifacts
#   demo     run the console demo
#   bench    run the benchmark harness (pass -Quick for a smoke run)
param(
    [Parameter(Position = 0)]
    [ValidateSet('restore', 'build', 'test', 'pack', 'demo', 'bench')]
    [string]$Target = 'build',
    [string]$Configuration = 'Release',
    [switch]$Quick
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Dotnet {
    Write-Host "> dotnet $args" -ForegroundColor Cyan
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args[0]) failed with exit code $LASTEXITCODE" }
}

switch ($Target) {
    'restore' { Invoke-Dotnet restore Workers.sln }
    'build' { Invoke-Dotnet build Workers.sln -c $Configuration }
    'test' {
        Invoke-Dotnet build Workers.sln -c $Configuration
        # A hung test fails the run with a dump instead of eating the CI budget.
        Invoke-Dotnet test Workers.sln -c $Configuration --no-build --blame-hang-timeout 5m --results-directory artifacts/test-results
    }
    'pack' { Invoke-Dotnet pack Workers.sln -c $Configuration -o artifacts/packages }
    'demo' { Invoke-Dotnet run --project samples/Workers.Demo -c $Configuration }
    'bench' {
        $benchArgs = @('run', '--project', 'bench/Workers.Benchmarks', '-c', 'Release', '--')
        if ($Quick) { $benchArgs += '--quick' }
        Invoke-Dotnet @benchArgs
    }
}
