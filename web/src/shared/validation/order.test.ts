import { describe, expect, it } from 'vitest'
import { validateOptions, validHost } from './order'

const vps = { service_type: 'vps', features: { locations: ['Dallas, US', 'Frankfurt, DE'] } }
const game = { service_type: 'game_server', features: { locations: ['Frankfurt, DE'], extras: { games: 'Valheim, Minecraft' } } }
const hosting = { service_type: 'hosting', features: {} }
const metal = { service_type: 'dedicated', features: { locations: ['Dallas, US'], extras: { operating_systems: 'debian-12, rocky-9' } } }

describe('validateOptions', () => {
  it.each([
    [vps, { hostname: 'web1.example.com', os: 'debian-12', location: 'Dallas, US' }, {}],
    [vps, { hostname: 'WEB1.Example.com ', os: 'debian-12', location: 'Dallas, US' }, {}],
    [vps, { hostname: 'web1', os: 'windows', location: '' }, {
      'options.hostname': 'must be a fully qualified host name such as server1.example.com',
      'options.os': 'must be one of: ubuntu-24.04, ubuntu-22.04, debian-12, debian-11, almalinux-9, rocky-9 (what this plan\'s hardware installs)',
      'options.location': 'must be one of: Dallas, US; Frankfurt, DE',
    }],
    [game, { game: 'Valheim' }, {}], // the only location is taken
    [game, { game: 'Doom' }, { 'options.game': 'must be one of: Valheim, Minecraft' }],
    [metal, { hostname: 'metal.example.com', os: 'rocky-9' }, {}],
    [metal, { hostname: 'metal.example.com', os: 'ubuntu-24.04' }, { 'options.os': 'must be one of: debian-12, rocky-9 (what this plan\'s hardware installs)' }],
    [hosting, { domain: 'example.com' }, {}],
    [hosting, { domain: '-bad-.com' }, { 'options.domain': 'must be a domain name such as example.com' }],
    [hosting, { domain: 'Bücher.Example' }, {}],
    [hosting, { domain: 'xn--bcher-kva.example' }, {}],
    [hosting, { domain: 'not a domain' }, { 'options.domain': 'must be a domain name such as example.com' }],
  ])('%o with %o gives %o', (plan, options, want) => {
    expect(validateOptions(plan, options)).toEqual(want)
  })

  it('bounds labels and names as DNS does', () => {
    expect(validHost(`${'a'.repeat(63)}.com`)).toBe(true)
    expect(validHost(`${'a'.repeat(64)}.com`)).toBe(false)
    expect(validHost(`${'a.'.repeat(126)}com`)).toBe(false)
    expect(validHost('example.123')).toBe(false)
  })
})
